package dev.tributary.operators;

import dev.tributary.memory.Bytes;
import java.util.Locale;

/**
 * One operator's counters at a point in time.
 *
 * @param name the operator
 * @param wallNanos from its subscription to its termination
 * @param userNanos wall time inside user functions
 * @param userCpuNanos CPU time inside user functions
 * @param backpressureNanos time it had output but no downstream demand
 * @param blocksIn blocks received
 * @param rowsIn rows received
 * @param bytesIn bytes received
 * @param blocksOut blocks emitted
 * @param rowsOut rows emitted
 * @param bytesOut bytes emitted
 * @param peakBytes the most bytes its account held at once
 * @param budgetBytes its account's budget
 * @param startNanos {@link System#nanoTime()} at subscription (0 if it never ran)
 * @param endNanos {@link System#nanoTime()} at termination
 * @param throttledNanos time its governor held back demand for lack of memory
 * @param throttledBytes bytes of the blocks whose request was held back
 * @param oversizeBlocks blocks larger than its whole budget
 * @param reads what it read from storage ({@link SourceReads#NONE} unless it reads files)
 * @param workers the workers (instances of a stateful batch function) it has now; 0 unless it is
 *     a worker pool
 * @param peakWorkers the most workers it had at once
 * @param spills what it spilled and restored ({@link SpillStats#NONE} unless it spills)
 * @param waiting why it waited at that point ({@link WaitReason#NONE}: it did not)
 * @param upstreamNanos time it asked its input for blocks and none came (starved)
 * @param admissionNanos time its execution waited in the admission queue for memory
 * @param heldBytes the bytes its account held at that point
 * @param concurrencyCapNanos time every one of its concurrent tasks was busy
 */
public record OperatorSnapshot(
    String name, long wallNanos, long userNanos, long userCpuNanos, long backpressureNanos,
    long blocksIn, long rowsIn, long bytesIn, long blocksOut, long rowsOut, long bytesOut,
    long peakBytes, long budgetBytes, long startNanos, long endNanos, long throttledNanos,
    long throttledBytes, long oversizeBlocks, SourceReads reads, int workers,
    int peakWorkers, SpillStats spills, WaitReason waiting, long upstreamNanos,
    long admissionNanos, long heldBytes, long concurrencyCapNanos) {

  /** The time it spent waiting for {@code reason} ({@link WaitReason#NONE}: 0). */
  public long waitedNanos(WaitReason reason) {
    return switch (reason) {
      case NONE -> 0;
      case ADMISSION -> admissionNanos;
      case DOWNSTREAM -> backpressureNanos;
      case CONCURRENCY -> concurrencyCapNanos;
      case MEMORY -> throttledNanos;
      case UPSTREAM -> upstreamNanos;
    };
  }

  /** Whether this operator and {@code other} were both running at some instant. */
  public boolean overlaps(OperatorSnapshot other) {
    return startNanos != 0 && other.startNanos != 0
        && startNanos < other.endNanos && other.startNanos < endNanos;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "%s: %d blocks / %d rows / %s in -> %d blocks / %d rows / %s out;"
            + " wall %.1f ms, user %.1f ms (cpu %.1f ms), backpressure %.1f ms, peak %s,"
            + " budget %s, throttled %.1f ms / %s, upstream %.1f ms%s%s%s%s",
        name, blocksIn, rowsIn, Bytes.format(bytesIn), blocksOut, rowsOut, Bytes.format(bytesOut),
        wallNanos / 1e6, userNanos / 1e6, userCpuNanos / 1e6, backpressureNanos / 1e6,
        Bytes.format(peakBytes), Bytes.format(budgetBytes), throttledNanos / 1e6,
        Bytes.format(throttledBytes), upstreamNanos / 1e6,
        admissionNanos > 0 ? String.format(Locale.ROOT, ", queued for memory %.1f ms",
            admissionNanos / 1e6) : "",
        waiting == WaitReason.NONE ? "" : "; " + waiting.describe(),
        oversizeBlocks > 0 ? ", " + oversizeBlocks + " oversize blocks" : "",
        reads.equals(SourceReads.NONE) ? "" : "; " + reads)
        + (peakWorkers > 0 ? "; workers " + workers + " (peak " + peakWorkers + ")" : "")
        + (spills.equals(SpillStats.NONE) ? "" : "; " + spills);
  }
}
