package dev.tributary;

import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorSnapshot;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * What one execution did, per operator (source first, in pipeline order) and in total: time,
 * user-function CPU, blocks/rows/bytes in and out, peak memory, backpressure.
 *
 * @param operators one snapshot per physical operator
 * @param wallNanos the execution's wall time
 * @param arenaPeakBytes the most bytes this execution's operators held at once in the arena (the
 *     peak of its {@link dev.tributary.memory.ExecutionScope}); other executions sharing the
 *     arena, earlier or at the same time, do not count
 * @param memoryLimitBytes the execution's cap: its context's memory limit, at most the runtime's
 * @param queuedNanos how long it waited in its runtime's admission queue for memory before it
 *     started (0: it started at once)
 */
public record ExecutionStats(
    List<OperatorSnapshot> operators, long wallNanos, long arenaPeakBytes, long memoryLimitBytes,
    long queuedNanos) {

  /** The first operator whose name contains {@code part}. */
  public OperatorSnapshot operator(String part) {
    return operators.stream().filter(o -> o.name().contains(part)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no operator named like '" + part
            + "' in " + operators.stream().map(OperatorSnapshot::name).toList()));
  }

  /** Rows emitted by the last operator. */
  public long rowsOut() {
    return operators.isEmpty() ? 0 : operators.get(operators.size() - 1).rowsOut();
  }

  /** Total user-function CPU time across operators, in nanoseconds. */
  public long userCpuNanos() {
    return operators.stream().mapToLong(OperatorSnapshot::userCpuNanos).sum();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Execution stats\n");
    for (OperatorSnapshot o : operators) {
      sb.append("  ").append(o).append('\n');
    }
    sb.append(String.format(Locale.ROOT,
        "  total: wall %.1f ms, user cpu %.1f ms, %d rows out, arena peak %s of %s%s",
        wallNanos / 1e6, userCpuNanos() / 1e6, rowsOut(), Bytes.format(arenaPeakBytes),
        Bytes.format(memoryLimitBytes), queuedNanos > 0
            ? String.format(Locale.ROOT, ", queued for memory %.1f ms", queuedNanos / 1e6)
            : ""));
    return sb.toString();
  }
}
