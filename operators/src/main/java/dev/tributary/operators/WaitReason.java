package dev.tributary.operators;

/**
 * Why an operator is not moving now, as its {@link OperatorStats} see it; when several hold, the
 * first in declaration order is the one reported (the cause rather than its consequence: an
 * operator whose consumer is slow soon fills its budget too).
 */
public enum WaitReason {
  /** Not waiting: working, or finished. */
  NONE,
  /** Its execution waits in the runtime's admission queue for memory to start. */
  ADMISSION,
  /** Its output has no demand: the next operator or the consumer is slower (backpressure). */
  DOWNSTREAM,
  /**
   * Every one of its concurrent tasks is busy with a block: the stage itself is the slowest part
   * (more concurrency, or a faster function, would speed the pipeline up).
   */
  CONCURRENCY,
  /** Its governor holds back demand for lack of memory: its budget, or the memory above it. */
  MEMORY,
  /** It asked its input for blocks and none has come yet: upstream is slower (starved). */
  UPSTREAM;

  /** How a progress line says it, e.g. {@code waits for memory}; empty for {@link #NONE}. */
  public String describe() {
    return switch (this) {
      case NONE -> "";
      case ADMISSION -> "queued for memory";
      case DOWNSTREAM -> "waits for downstream";
      case CONCURRENCY -> "at its concurrency cap";
      case MEMORY -> "waits for memory";
      case UPSTREAM -> "waits for upstream";
    };
  }
}
