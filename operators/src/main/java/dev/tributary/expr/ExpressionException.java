package dev.tributary.expr;

import dev.tributary.error.TributaryException;

/**
 * Thrown when an expression cannot be typed against its input (a missing column, a column of a
 * type expressions cannot read, operands of types an operator does not take), naming the
 * expression and the types it saw; checked when the plan is built whenever the input's schema is
 * known then. Also thrown while running for a value no result type can hold: an int64 overflow or
 * a cast of a value that does not fit, naming the expression and the row.
 */
public final class ExpressionException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final String expression;

  /** Reports {@code message} about {@code expression}. */
  public ExpressionException(String expression, String message) {
    super("expression " + expression + ": " + message);
    this.expression = expression;
  }

  /** The expression at fault, as written. */
  public String expression() {
    return expression;
  }
}
