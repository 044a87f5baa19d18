package dev.tributary.bench;

import dev.tributary.Batch;
import dev.tributary.BatchIterator;
import dev.tributary.Dataset;
import dev.tributary.IterBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
 * Parquet files (issue 14's benchmark). The machine may be shared: each side runs in turns with
 * its baseline and the ratios are medians of per-pair ratios.
 *
 * <p>1. {@code iterBatches} (batches of 1024, prefetch 2) summing a column, rows/s next to the
 * raw block stream of the same read summing it ({@code toFlux(block -> ...)}): the goal is an
 * overhead of at most 10%; also the ratio of process CPU time and the share of the consumer's
 * time spent waiting for data. 2. {@code streamingSplit(2, equal)} where consumer B takes ten
 * times consumer A's time per batch, computing or waiting: A's rows/s next to A alone doing its
 * work over {@code iterBatches}; the goal is that A keeps at least 80% of its solo rate unequal
 * (equal holds A within {@code prefetchBatches} of B, so A slows to B's pace: shown for
 * contrast). Run with {@code mvn -B -q -Pbench -DskipTests verify -pl test -am
 * -Dbench.main=dev.tributary.bench.TrainingFeedBench -Dbench.rows=10000000} (the profile's
 * default is 50M rows) and optionally {@code -Dpeers.args="-Dbench.parts=feed -Dbench.runs=31"}
 * ({@code bench.parts}: feed, split or both; {@code bench.runs}: pairs, default 5; {@code
 * bench.work}: A's passes over each batch, default 40).
 */
public final class TrainingFeedBench {
  private static final int RUNS = Integer.getInteger("bench.runs", 5);
  /** Which parts to run: {@code feed} (overhead), {@code split} (slow consumer). */
  private static final String PARTS = System.getProperty("bench.parts", "feed,split");
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final int BATCH = 1024;
  /**
   * Passes over each batch's values consumer A makes (its simulated training step); B makes ten
   * times as many, enough for B to be slower than the pipeline so that it is the bottleneck.
   */
  private static final int WORK = Integer.getInteger("bench.work", 40);

  private TrainingFeedBench() {}

  /** Writes the data, runs the parts asked for, prints medians. */
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

      if (PARTS.contains("feed")) {
        feedOverhead(data, rows);
      }
      if (PARTS.contains("split")) {
        slowConsumer(data);
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Part 1: raw block stream and iterBatches run in turns ({@link #RUNS} pairs after a warm-up
   * pair), so that both see the same load on a shared machine; prints the medians of the
   * per-pair ratios of rows/s and of process CPU time.
   */
  private static void feedOverhead(Dataset data, long rows) {
    double expected = expectedSum(rows);
    Run raw = () -> {
      Double sum = data.toFlux(b -> sum((Float8Vector) b.vector("x"), 1))
          .reduce(0.0, Double::sum).block();
      check(sum, expected);
    };
    long[] waited = new long[2];
    Run feed = () -> {
      double sum = 0;
      try (BatchIterator it = data.iterBatches(options())) {
        while (it.hasNext()) {
          sum += sum((Float8Vector) it.next().root().getVector("x"), 1);
        }
        waited[0] += it.stats().waitNanos();
        waited[1] += it.stats().waitNanos() + it.stats().userNanos();
      }
      check(sum, expected);
    };
    List<Integer> blocks = data.toFlux(b -> b.rowCount()).collectList().block();
    System.out.printf(Locale.ROOT, "%d source blocks of %d to %d rows%n", blocks.size(),
        blocks.stream().mapToInt(Integer::intValue).min().orElse(0),
        blocks.stream().mapToInt(Integer::intValue).max().orElse(0));
    double[] rawRate = new double[RUNS];
    double[] feedRate = new double[RUNS];
    double[] rate = new double[RUNS];
    double[] cpu = new double[RUNS];
    raw.measure();
    feed.measure();
    for (int i = 0; i < RUNS; i++) {
      long[] r = raw.measure();
      long[] f = feed.measure();
      rawRate[i] = rows / (r[0] / 1e9);
      feedRate[i] = rows / (f[0] / 1e9);
      rate[i] = (double) r[0] / f[0];
      cpu[i] = (double) f[1] / r[1];
    }
    System.out.printf(Locale.ROOT, "rows=%d, %d pairs: raw blocks %.1f M rows/s, iterBatches %.1f"
        + " M rows/s; iterBatches/raw rows/s %.2f (goal >= 0.90, pairs %s); CPU time"
        + " iterBatches/raw %.2f (pairs %s); iterBatches consumer waiting for data %.0f%%%n",
        rows, RUNS, median(rawRate) / 1e6, median(feedRate) / 1e6, median(rate), list(rate),
        median(cpu), list(cpu), 100.0 * waited[0] / waited[1]);
  }

  /**
   * Part 2: {@code streamingSplit(2)} where consumer B takes ten times consumer A's time per
   * batch, either computing (B busy: on a machine with fewer free cores than A, B and the
   * pipeline need, the cores are the limit, not the feed) or waiting (B waits: a step on an
   * accelerator). Unequal: A's rows/s over A alone, run in turns ({@link #RUNS} pairs after a
   * warm-up pair), median of the per-pair ratios. Equal holds A within {@code prefetchBatches}
   * of B, so A slows to B's pace: one run each, for contrast.
   */
  private static void slowConsumer(Dataset data) {
    long[] soloRows = new long[1];
    Run solo = () -> soloRows[0] = consume(data.iterBatches(options()), WORK, 0);
    solo.measure();
    long soloNanosPerBatch = solo.measure()[0] / (soloRows[0] / BATCH);
    for (boolean equal : new boolean[] {false, true}) {
      for (boolean waits : new boolean[] {false, true}) {
        long[] rows = new long[2];
        long[] fastDone = new long[1];
        Run split = () -> {
          List<BatchIterator> halves = data.streamingSplit(2, equal, options());
          CompletableFuture<Long> slow = CompletableFuture.supplyAsync(() -> waits
              ? consume(halves.get(1), 0, 10 * soloNanosPerBatch)
              : consume(halves.get(1), WORK * 10, 0));
          rows[0] = consume(halves.get(0), WORK, 0);
          fastDone[0] = System.nanoTime();
          rows[1] = slow.join();
        };
        int runs = equal ? 1 : RUNS;
        double[] ratio = new double[runs];
        double[] alone = new double[runs];
        double[] fast = new double[runs];
        if (!equal) {
          solo.measure();
          split.measure();
        }
        for (int i = 0; i < runs; i++) {
          long soloNanos = solo.measure()[0];
          alone[i] = soloRows[0] / (soloNanos / 1e9);
          long t0 = System.nanoTime();
          split.run();
          fast[i] = rows[0] / ((fastDone[0] - t0) / 1e9);
          ratio[i] = fast[i] / alone[i];
        }
        System.out.printf(Locale.ROOT, "streamingSplit(2, %s), B 10x slower (%s): A %.2f M"
            + " rows/s, A alone %.2f M rows/s, ratio %.2f%s; rows A %d, B %d%n", equal,
            waits ? "waits" : "busy", median(fast) / 1e6, median(alone) / 1e6, median(ratio),
            equal ? " (A held within prefetchBatches of B)"
                : " (goal >= 0.80, pairs " + list(ratio) + ")", rows[0], rows[1]);
      }
    }
  }

  /** One measured run: its wall and process CPU nanoseconds. */
  private interface Run {
    void run();

    default long[] measure() {
      long cpu0 = OS.getProcessCpuTime();
      long t0 = System.nanoTime();
      run();
      return new long[] {System.nanoTime() - t0, OS.getProcessCpuTime() - cpu0};
    }
  }

  private static String list(double[] values) {
    return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v))
        .collect(java.util.stream.Collectors.joining(" "));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static IterBatchesOptions options() {
    return IterBatchesOptions.defaults().withBatchSize(BATCH).withPrefetchBatches(2);
  }

  /**
   * Consumes an iterator doing {@code passes} passes of work and waiting {@code waitNanos} per
   * batch; returns its rows.
   */
  private static long consume(BatchIterator it, int passes, long waitNanos) {
    long n = 0;
    double sink = 0;
    try (it) {
      while (it.hasNext()) {
        Batch b = it.next();
        sink += sum((Float8Vector) b.root().getVector("x"), passes);
        n += b.rowCount();
        if (waitNanos > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(waitNanos);
        }
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

  /** The sum of {@code x} over the data, computed once, outside the measured time. */
  private static double expectedSum(long rows) {
    double expected = 0;
    for (long i = 0; i < rows; i++) {
      expected += (i % 1000) * 0.5;
    }
    return expected;
  }

  private static void check(Double sum, double expected) {
    if (sum == null || Math.abs(sum - expected) > 1e-6 * expected) {
      throw new AssertionError("sum " + sum + " differs from " + expected);
    }
  }

}
