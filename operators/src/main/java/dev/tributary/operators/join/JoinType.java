package dev.tributary.operators.join;

/** Which rows a join keeps (Ray Data's {@code join_type}s). */
public enum JoinType {
  /** Pairs of rows whose keys are equal. */
  INNER,
  /** Every left row: with each matching right row, or once with nulls for the right columns. */
  LEFT_OUTER,
  /** Every right row: with each matching left row, or once with nulls for the left columns. */
  RIGHT_OUTER,
  /** Both outer joins at once: every row of either side. */
  FULL_OUTER,
  /** The left rows (their columns only) that have a match, each once. */
  LEFT_SEMI,
  /** The left rows (their columns only) that have no match. */
  LEFT_ANTI;

  /** Whether the output has only the left columns. */
  public boolean leftColumnsOnly() {
    return this == LEFT_SEMI || this == LEFT_ANTI;
  }

  /** Whether right rows without a match are emitted. */
  boolean keepsUnmatchedRight() {
    return this == RIGHT_OUTER || this == FULL_OUTER;
  }

  /** Whether left rows without a match are emitted (with null right columns). */
  boolean keepsUnmatchedLeft() {
    return this == LEFT_OUTER || this == FULL_OUTER;
  }
}
