package dev.tributary;

import dev.tributary.error.TributaryException;
import dev.tributary.memory.Bytes;

/**
 * Thrown when an execution starts whose minimum working set (the few blocks per stage it cannot
 * make progress without, see the README's "Admission") is larger than its memory limit: waiting
 * for memory could never help, so it fails before it queues or holds anything.
 */
public final class WorkingSetTooLargeException extends TributaryException {
  private static final long serialVersionUID = 1L;
  private final String execution;
  private final long minimumBytes;
  private final long limitBytes;

  WorkingSetTooLargeException(String execution, long minimumBytes, long limitBytes,
      long blockBytes) {
    super("execution '" + execution + "' needs at least " + Bytes.format(minimumBytes)
        + " to make progress (a few blocks of " + Bytes.format(blockBytes) + " per stage) but its"
        + " memory limit is " + Bytes.format(limitBytes) + "; raise the memory limit, lower"
        + " DataContext.targetMaxBlockSize, or split the plan");
    this.execution = execution;
    this.minimumBytes = minimumBytes;
    this.limitBytes = limitBytes;
  }

  /** The execution's name (runtime, number and plan). */
  public String execution() {
    return execution;
  }

  /** The least memory the execution needs to make progress (bytes). */
  public long minimumBytes() {
    return minimumBytes;
  }

  /** Its memory limit: its context's, at most its runtime's (bytes). */
  public long limitBytes() {
    return limitBytes;
  }
}
