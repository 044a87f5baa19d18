package dev.tributary.error;

/**
 * Root of every error Tributary raises on purpose: catch it to handle all of them at once.
 *
 * <p>Subclasses are unchecked and carry the context needed to act on them (operator, account,
 * column, file, location); their messages say what happened and what to do.
 */
public class TributaryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public TributaryException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the cause it wraps. */
  public TributaryException(String message, Throwable cause) {
    super(message, cause);
  }
}
