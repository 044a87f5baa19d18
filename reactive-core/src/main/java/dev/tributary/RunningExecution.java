package dev.tributary;

import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.OperatorStats;
import java.util.List;

/**
 * A live view of one execution of a runtime, for monitoring ({@link ExecutionListener}, {@link
 * TributaryRuntime#executions()}): its name, the memory its scope holds, and its operators' live
 * counters (source first, in pipeline order). Reading it never changes the execution.
 */
public final class RunningExecution {
  private final String name;
  private final Execution execution;
  private final List<OperatorStats> operators;

  RunningExecution(String name, Execution execution, List<OperatorStats> operators) {
    this.name = name;
    this.execution = execution;
    this.operators = List.copyOf(operators);
  }

  /** The execution's name: runtime, number and plan, e.g. {@code tributary#3 Range[10]->Map}. */
  public String name() {
    return name;
  }

  /** The bytes its operators hold now (its execution scope's). */
  public long heldBytes() {
    return execution.heldBytes();
  }

  /** The most bytes its operators held at once so far. */
  public long peakBytes() {
    return execution.peakBytes();
  }

  /** Its cap: the context's memory limit, at most the runtime's. */
  public long memoryLimitBytes() {
    return execution.context().memoryLimit();
  }

  /**
   * Whether it waits in its runtime's admission queue: it needs {@link #minimumBytes()} to make
   * progress and the executions running leave less (its operators wait for {@link
   * dev.tributary.operators.WaitReason#ADMISSION}).
   */
  public boolean queuedForMemory() {
    return execution.queuedForMemory();
  }

  /** How long it waited (or has waited so far) in the admission queue, in nanoseconds. */
  public long queuedNanos() {
    return execution.queuedNanos();
  }

  /** The least memory it needs to make progress: what admission reserves for it (bytes). */
  public long minimumBytes() {
    return execution.minimumBytes();
  }

  /** Its operators' live counters, source first; {@link OperatorStats#snapshot()} freezes one. */
  public List<OperatorStats> operators() {
    return operators;
  }

  /** Every operator's counters now, source first. */
  public List<OperatorSnapshot> snapshot() {
    return operators.stream().map(OperatorStats::snapshot).toList();
  }

  @Override
  public String toString() {
    return "RunningExecution[" + name + "]";
  }
}
