package dev.tributary.operators;

import dev.tributary.error.TributaryException;

/** Thrown when inputs that must have as many rows as each other (a zip's two sides) do not. */
public final class RowCountMismatchException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final long leftRows;
  private final long rightRows;

  /** Reports that {@code where}'s left input had {@code leftRows} rows, its right {@code rightRows}. */
  public RowCountMismatchException(String where, long leftRows, long rightRows) {
    super(where + ": the inputs must have as many rows as each other; the left one has "
        + leftRows + " rows, the right one " + rightRows);
    this.leftRows = leftRows;
    this.rightRows = rightRows;
  }

  /** The left input's row count. */
  public long leftRows() {
    return leftRows;
  }

  /** The right input's row count. */
  public long rightRows() {
    return rightRows;
  }
}
