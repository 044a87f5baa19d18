package dev.tributary.operators;

import dev.tributary.error.TributaryException;

/**
 * Thrown when a user function fails inside an operator: names the operator and the index of the
 * input block it was working on, and keeps the original exception as the cause.
 */
public final class UserFunctionException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final String operator;
  private final long blockIndex;

  /** Wraps {@code cause}, thrown by the function of {@code operator} on input block {@code blockIndex}. */
  public UserFunctionException(String operator, long blockIndex, Throwable cause) {
    super("user function in operator '" + operator + "' failed on input block " + blockIndex
        + ": " + cause, cause);
    this.operator = operator;
    this.blockIndex = blockIndex;
  }

  /** The operator whose function failed. */
  public String operator() {
    return operator;
  }

  /** The index (0-based, in input order) of the block being processed. */
  public long blockIndex() {
    return blockIndex;
  }
}
