package dev.tributary.checkpoint;

import dev.tributary.error.TributaryException;
import java.nio.file.Path;

/**
 * Thrown when a checkpointed write cannot be checkpointed as asked: a plan that is not a read
 * followed by one-row-per-row transforms, an id column that is missing, null or of an unusable
 * type, a checkpoint directory that cannot be used. Names the checkpoint directory and what is
 * at fault; nothing of the write is published.
 */
public class CheckpointException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final transient Path directory;

  /** Reports that the checkpoint in {@code directory} cannot be used, and why. */
  public CheckpointException(Path directory, String why) {
    super("checkpoint " + directory + ": " + why);
    this.directory = directory;
  }

  /** Reports that the checkpoint in {@code directory} failed while doing {@code what}. */
  public CheckpointException(Path directory, String what, Throwable cause) {
    super("checkpoint " + directory + " (" + what + "): " + cause, cause);
    this.directory = directory;
  }

  /** The checkpoint directory. */
  public Path directory() {
    return directory;
  }
}
