package dev.tributary.bench;

import dev.tributary.Batch;
import dev.tributary.BatchIterator;
import dev.tributary.Dataset;
import dev.tributary.IterBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.arrow.vector.Float8Vector;

/**
 * The training feed's overhead and its split under a slow consumer, in one run over the same
 * Parquet files (issue 14's benchmark).
 *
 * <p>1. {@code iterBatches} (batches of 1024, prefetch 2) summing a column, rows/s next to the
 * raw block stream of the same read summing it ({@code toFlux(block -> ...)}): the goal is an
 * overhead of at most 10%. 2. {@code streamingSplit(2, equal)} where consumer B does ten times
 * consumer A's work per batch: A's rows/s next to A alone doing its work over {@code
 * iterBatches}; the goal is that A keeps at least 80% of its solo rate unequal (equal holds A
 * within {@code prefetchBatches} of B, so A slows to B's pace: shown for contrast). Run with
 * {@code mvn -B -q -Pbench -DskipTests verify -Dbench.main=dev.tributary.bench.TrainingFeedBench};
 * {@code -Dbench.rows=N} (default 10M, the medium size).
 */
public final class TrainingFeedBench {
  private static final int RUNS = 3;
  private static final int BATCH = 1024;
  /**
   * Passes over each batch's values consumer A makes (its simulated training step); B makes ten
   * times as many, enough for B to be slower than the pipeline so that it is the bottleneck.
   */
  private static final int WORK = Integer.getInteger("bench.work", 40);

  private TrainingFeedBench() {}

  /** Writes the data, runs each side {@link #RUNS} times after a warm-up, prints medians. */
  public static void main(String[] args) throws IOException {
    long rows = Long.getLong("bench.rows", 10_000_000L);
    Path dir = Files.createTempDirectory("tributary-feed-bench");
    try (TributaryRuntime runtime = TributaryRuntime.builder().name("feed-bench")
        .memoryLimit(2 * Bytes.GiB).build()) {
      Tributary.range(rows, 40).withRuntime(runtime)
          .mapBatches(b -> {
            long[] id = (long[]) b.get("id");
            double[] x = new double[id.length];
            for (int i = 0; i < id.length; i++) {
              x[i] = (id[i] % 1000) * 0.5;
            }
            return java.util.Map.of("id", id, "x", x);
          })
          .writeParquet(dir.toString());
      Dataset data = Tributary.readParquet(dir.toString()).withRuntime(runtime).select("x");

      double raw = median(() -> {
        long t0 = System.nanoTime();
        Double sum = data.toFlux(b -> sum((Float8Vector) b.vector("x"), 1))
            .reduce(0.0, Double::sum).block();
        double rate = rows / secondsSince(t0);
        check(sum, rows);
        return rate;
      });
      double feed = median(() -> {
        long t0 = System.nanoTime();
        double sum = 0;
        try (BatchIterator it = data.iterBatches(options())) {
          while (it.hasNext()) {
            sum += sum((Float8Vector) it.next().root().getVector("x"), 1);
          }
        }
        double rate = rows / secondsSince(t0);
        check(sum, rows);
        return rate;
      });
      System.out.printf(Locale.ROOT, "rows=%d  raw blocks %.1f M rows/s  iterBatches %.1f M rows/s"
          + "  ratio %.2f (goal >= 0.90)%n", rows, raw / 1e6, feed / 1e6, feed / raw);

      double solo = median(() -> {
        long t0 = System.nanoTime();
        long n = consume(data.iterBatches(options()), WORK);
        return n / secondsSince(t0);
      });
      for (boolean equal : new boolean[] {false, true}) {
        double[] fast = new double[1];
        double split = median(() -> {
          List<BatchIterator> halves = data.streamingSplit(2, equal, options());
          long t0 = System.nanoTime();
          CompletableFuture<Long> slow = CompletableFuture.supplyAsync(
              () -> consume(halves.get(1), WORK * 10));
          long fastRows = consume(halves.get(0), WORK);
          fast[0] = fastRows / secondsSince(t0);
          slow.join();
          return fast[0];
        });
        System.out.printf(Locale.ROOT, "streamingSplit(2, %s), B 10x slower: A %.1f M rows/s,"
            + " A alone %.1f M rows/s, ratio %.2f%s%n", equal, split / 1e6, solo / 1e6,
            split / solo, equal ? " (A held within prefetchBatches of B)" : " (goal >= 0.80)");
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static IterBatchesOptions options() {
    return IterBatchesOptions.defaults().withBatchSize(BATCH).withPrefetchBatches(2);
  }

  /** Consumes an iterator doing {@code passes} passes of work per batch; returns its rows. */
  private static long consume(BatchIterator it, int passes) {
    long n = 0;
    double sink = 0;
    try (it) {
      while (it.hasNext()) {
        Batch b = it.next();
        sink += sum((Float8Vector) b.root().getVector("x"), passes);
        n += b.rowCount();
      }
    }
    if (sink < 0) {
      throw new AssertionError("impossible: " + sink);
    }
    return n;
  }

  private static double sum(Float8Vector v, int passes) {
    double s = 0;
    for (int p = 0; p < passes; p++) {
      for (int i = 0; i < v.getValueCount(); i++) {
        s += v.get(i) * (p + 1);
      }
    }
    return s;
  }

  private static void check(Double sum, long rows) {
    double expected = 0;
    for (long i = 0; i < rows; i++) {
      expected += (i % 1000) * 0.5;
    }
    if (sum == null || Math.abs(sum - expected) > 1e-6 * expected) {
      throw new AssertionError("sum " + sum + " differs from " + expected);
    }
  }

  private static double secondsSince(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(java.util.function.DoubleSupplier run) {
    run.getAsDouble(); // warm-up
    double[] r = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      r[i] = run.getAsDouble();
    }
    Arrays.sort(r);
    return r[RUNS / 2];
  }
}
