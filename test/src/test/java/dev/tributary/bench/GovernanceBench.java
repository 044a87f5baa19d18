package dev.tributary.bench;

import dev.tributary.DataContext;
import dev.tributary.it.Workloads;
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
    long blockBytes = Long.getLong("bench.blockKiB", 1024) * Bytes.KiB;
    String[] limits = System.getProperty("bench.limits", "64,256,1024").split(",");
    System.out.printf(Locale.ROOT, "%-8s %-10s %12s %12s %10s %s%n", "limit", "mode", "MB/s in",
        "peak", "peak/limit", "outcome");
    for (String l : limits) {
      long limit = Long.parseLong(l.trim()) * Bytes.MiB;
      Mode governed = new Mode(true);
      Mode ungoverned = new Mode(false);
      // Alternate the two modes run by run, so drift in a shared machine's speed hits both.
      for (int run = -1; run < RUNS; run++) {
        governed.run(limit, factor, blockBytes, sinkDelay, run);
        ungoverned.run(limit, factor, blockBytes, sinkDelay, run);
      }
      governed.print(limit);
      ungoverned.print(limit);
      if (governed.ok() && ungoverned.ok()) {
        System.out.printf(Locale.ROOT, "%-8s governed/ungoverned throughput ratio %.2f%n",
            Bytes.format(limit), governed.median() / ungoverned.median());
      }
    }
  }

  /** One mode's measurements at one limit. */
  private static final class Mode {
    private final boolean governed;
    private final double[] mbps = new double[RUNS];
    private long peak;
    private String outcome = "ok";

    Mode(boolean governed) {
      this.governed = governed;
    }

    boolean ok() {
      return outcome.equals("ok");
    }

    double median() {
      double[] sorted = mbps.clone();
      Arrays.sort(sorted);
      return sorted[RUNS / 2];
    }

    /** One run; run -1 is the warm-up. A run out of memory ends this mode at this limit. */
    void run(long limit, int factor, long blockBytes, Duration sinkDelay, int run) {
      if (!ok()) {
        return;
      }
      long bytes = factor * limit;
      long[] clock = new long[2];
      try {
        Workloads.run(limit, bytes, blockBytes, sinkDelay, governed, new Workloads.RunHooks() {
          @Override
          public void start() {
            clock[0] = System.nanoTime();
          }

          @Override
          public void stop() {
            clock[1] = System.nanoTime();
          }

          @Override
          public void peak(long bytes) {
            if (run >= 0) {
              Mode.this.peak = Math.max(Mode.this.peak, bytes);
            }
          }
        });
        if (run >= 0) {
          mbps[run] = bytes / 1e6 / ((clock[1] - clock[0]) / 1e9);
        }
      } catch (MemoryLimitExceededException e) {
        outcome = "out of memory: " + e.getMessage().split(":")[0];
      }
    }

    void print(long limit) {
      System.out.printf(Locale.ROOT, "%-8s %-10s %12.0f %12s %10.2f %s%n", Bytes.format(limit),
          governed ? "governed" : "ungoverned", ok() ? median() : -1, Bytes.format(peak),
          peak / (double) limit, outcome);
    }
  }
}
