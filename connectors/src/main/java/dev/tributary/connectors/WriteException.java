package dev.tributary.connectors;

import dev.tributary.error.TributaryException;
import java.nio.file.Path;

/**
 * Thrown when a write cannot put its files where it was asked to: the target is an existing file
 * rather than a directory, a directory cannot be created, or writing or publishing a file fails.
 * Names the path; nothing of the write is left visible.
 */
public final class WriteException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /** Reports that the write failed at {@code path}, and why. */
  public WriteException(Path path, String why) {
    super("cannot write " + path + ": " + why);
    this.path = path;
  }

  /** Reports that the write failed at {@code path} while doing {@code what}. */
  public WriteException(Path path, String what, Throwable cause) {
    super("cannot write " + path + " (" + what + "): " + cause, cause);
    this.path = path;
  }

  /** The target directory or file at fault. */
  public Path path() {
    return path;
  }
}
