package dev.tributary.connectors;

import dev.tributary.error.TributaryException;

/**
 * Thrown when a path given to a reader names no input: it does not exist, a glob matches no file,
 * or a directory holds no file of the format. Raised when the source is made (when the plan is
 * built), naming the path as given.
 */
public final class MissingInputException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final String path;

  /** Reports that {@code path} (as the user gave it) names no input, and why. */
  public MissingInputException(String path, String why) {
    super("no input at '" + path + "': " + why);
    this.path = path;
  }

  /** Reports that {@code path} could not be listed. */
  public MissingInputException(String path, String why, Throwable cause) {
    super("no input at '" + path + "': " + why + ": " + cause, cause);
    this.path = path;
  }

  /** The path, directory or glob as the user gave it. */
  public String path() {
    return path;
  }
}
