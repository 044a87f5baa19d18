package dev.tributary.connectors;

import dev.tributary.error.TributaryException;
import java.nio.file.Path;

/**
 * Thrown when input cannot be decoded: names the file and the location in it (footer, row group,
 * column, line) so the bad input can be found and fixed.
 */
public final class CorruptInputException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String location;

  /** Reports that {@code file} is unreadable at {@code location}. */
  public CorruptInputException(Path file, String location, Throwable cause) {
    super("cannot read " + file + " at " + location + ": " + what(cause)
        + ". The file is corrupt, truncated or not in the expected format.", cause);
    this.file = file;
    this.location = location;
  }

  /**
   * Reports that the input at {@code url} (not a file: an HTTP stream) is unreadable at {@code
   * location}; {@link #file()} is then null.
   */
  public CorruptInputException(String url, String location, Throwable cause) {
    super("cannot read " + url + " at " + location + ": " + what(cause)
        + ". The input is corrupt, truncated or not in the expected format.", cause);
    this.file = null;
    this.location = location;
  }

  /** What went wrong: the cause's message, or its kind when it has none. */
  private static String what(Throwable cause) {
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }

  /** The file that could not be read (null for input that is not a file, see the message). */
  public Path file() {
    return file;
  }

  /** Where in the file reading failed (e.g. {@code footer}, {@code row group 3, column x}). */
  public String location() {
    return location;
  }
}
