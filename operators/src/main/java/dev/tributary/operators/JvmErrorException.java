package dev.tributary.operators;

import dev.tributary.error.TributaryException;

/**
 * Thrown when the JVM itself fails while an operator runs (the heap runs out, the stack
 * overflows, a class cannot be linked): not the user function's fault, so it is never reported
 * as a {@link UserFunctionException}. Names the operator and block; keeps the JVM error as the
 * cause.
 */
public final class JvmErrorException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final String operator;

  /** Wraps {@code cause}, raised while {@code operator} processed input block {@code blockIndex}. */
  public JvmErrorException(String operator, long blockIndex, Error cause) {
    super("the JVM failed while operator '" + operator + "' processed input block " + blockIndex
        + ": " + cause + hint(cause), cause);
    this.operator = operator;
  }

  /** The operator that was running. */
  public String operator() {
    return operator;
  }

  private static String hint(Error cause) {
    return cause instanceof OutOfMemoryError
        ? ". Row functions build their values on the JVM heap: give the JVM more heap (-Xmx),"
            + " return rows lazily (an Iterable that is not a List), or use mapBatches"
        : "";
  }
}
