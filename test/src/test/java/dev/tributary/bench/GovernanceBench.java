package dev.tributary.bench;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.it.Workloads;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.MemoryLimitExceededException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The memory-governance workload (a source of {@code factor} x the limit, a 4x-inflating
 * {@code mapBatches} with concurrency 4, a checksumming sink) at several memory limits, governed
 * and with the plain count-based prefetch ({@link DataContext#withGovernor(boolean) governor
 * off}), in the same run: throughput, peak arena bytes, and whether it ran out of memory.
 *
 * <p>Source blocks are {@code bench.blockKiB} KiB (default 1024) at every limit. Run with {@code mvn -B -q -Pbench -DskipTests verify
 * -Dbench.main=dev.tributary.bench.GovernanceBench}; {@code -Dbench.factor=N} (default 20),
 * {@code -Dbench.limits=64,256,1024} (MiB), {@code -Dbench.sinkMicros=N} per-block sink delay
 * (default 0).
 */
public final class GovernanceBench {
  private static final int RUNS = 3;

  private GovernanceBench() {}

  /** Runs every limit and mode and prints one table row each. */
  public static void main(String[] args) {
    int factor = Integer.getInteger("bench.factor", 20);
    Duration sinkDelay = Duration.ofNanos(Long.getLong("bench.sinkMicros", 0) * 1000);
    String[] limits = System.getProperty("bench.limits", "64,256,1024").split(",");
    System.out.printf(Locale.ROOT, "%-8s %-10s %12s %12s %10s %s%n", "limit", "mode", "MB/s in",
        "peak", "peak/limit", "outcome");
    for (String l : limits) {
      long limit = Long.parseLong(l.trim()) * Bytes.MiB;
      double governed = row(limit, factor, sinkDelay, true);
      double ungoverned = row(limit, factor, sinkDelay, false);
      if (governed > 0 && ungoverned > 0) {
        System.out.printf(Locale.ROOT, "%-8s governed/ungoverned throughput ratio %.2f%n",
            Bytes.format(limit), governed / ungoverned);
      }
    }
  }

  /** Runs one limit in one mode; returns the median MB/s, or -1 if it ran out of memory. */
  private static double row(long limit, int factor, Duration sinkDelay, boolean governed) {
    long bytes = factor * limit;
    long rows = bytes / Long.BYTES;
    int blocks = (int) (bytes / (Long.getLong("bench.blockKiB", 1024) * Bytes.KiB));
    double[] mbps = new double[RUNS];
    long peak = 0;
    String outcome = "ok";
    for (int run = -1; run < RUNS && outcome.equals("ok"); run++) {
      try (Arena arena = Arena.create("bench", limit)) {
        DataContext ctx = DataContext.defaults().withArena(arena).withGovernor(governed);
        Dataset ds = Workloads.inflating(ctx, rows, blocks, 4);
        long t0 = System.nanoTime();
        Workloads.Received got = Workloads.sink(ds.toFlux(), sinkDelay).block();
        long t1 = System.nanoTime();
        if (!Workloads.Received.expected(rows).equals(got)) {
          throw new AssertionError("wrong result " + got);
        }
        if (run >= 0) {
          mbps[run] = bytes / 1e6 / ((t1 - t0) / 1e9);
          peak = Math.max(peak, arena.peakBytes());
        }
      } catch (MemoryLimitExceededException e) {
        outcome = "out of memory: " + e.getMessage().split(":")[0];
      } catch (RuntimeException e) {
        if (e.getCause() instanceof MemoryLimitExceededException
            || String.valueOf(e.getMessage()).contains("memory limit")) {
          outcome = "out of memory";
        } else {
          throw e;
        }
      }
    }
    Arrays.sort(mbps);
    double median = outcome.equals("ok") ? mbps[RUNS / 2] : -1;
    System.out.printf(Locale.ROOT, "%-8s %-10s %12.0f %12s %10.2f %s%n", Bytes.format(limit),
        governed ? "governed" : "ungoverned", median, Bytes.format(peak),
        peak / (double) limit, outcome);
    return median;
  }
}
