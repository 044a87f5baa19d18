package dev.tributary;

/**
 * Hears a runtime's executions start and end ({@link TributaryRuntime#addListener}): the seam
 * monitoring hangs on (the Micrometer binder registers an execution's meters when it starts and
 * removes them when it ends). Called on the execution's own threads: return quickly, never
 * block, never throw.
 */
public interface ExecutionListener {
  /** {@code execution} has compiled its operators and is about to stream. */
  default void started(RunningExecution execution) {}

  /**
   * {@code execution} ended: its stream terminated, nothing of it runs, its memory is back; the
   * final {@code stats}.
   */
  default void ended(RunningExecution execution, ExecutionStats stats) {}
}
