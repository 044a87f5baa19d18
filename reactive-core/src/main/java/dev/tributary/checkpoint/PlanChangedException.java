package dev.tributary.checkpoint;

import java.nio.file.Path;

/**
 * Thrown when a write resumes from a checkpoint that a different write left: another plan,
 * target, sink or id column. Resuming would mix two jobs' rows, so nothing runs; delete the
 * checkpoint directory to start over, or restore the job that made it.
 */
public final class PlanChangedException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  private final String recorded;
  private final String current;

  /** Reports that {@code directory} holds the checkpoint of {@code recorded}, not {@code current}. */
  public PlanChangedException(Path directory, String recorded, String current) {
    super(directory, "it was made by another write; delete it to start over.\nrecorded:\n"
        + recorded + "now:\n" + current);
    this.recorded = recorded;
    this.current = current;
  }

  /** The write the checkpoint was made by, as recorded. */
  public String recorded() {
    return recorded;
  }

  /** The write that tried to resume from it. */
  public String current() {
    return current;
  }
}
