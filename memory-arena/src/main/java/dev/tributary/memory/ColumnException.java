package dev.tributary.memory;

import dev.tributary.error.TributaryException;

/**
 * Thrown when a column is missing, has a type other than the one asked for, or has values that
 * do not fit the request (nulls read into a primitive array, columns of unequal length).
 */
public final class ColumnException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final String column;

  /** Reports {@code message} about {@code column}. */
  public ColumnException(String column, String message) {
    super("column '" + column + "': " + message);
    this.column = column;
  }

  /** The name of the column at fault. */
  public String column() {
    return column;
  }
}
