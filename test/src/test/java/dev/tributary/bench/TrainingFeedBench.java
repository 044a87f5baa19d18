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
   * accelerator), next to A alone.
   */
  private static void slowConsumer(Dataset data) {
    double solo = median(() -> {
      long t0 = System.nanoTime();
      long n = consume(data.iterBatches(options()), WORK, 0);
      return n / secondsSince(t0);
    });
    long soloNanosPerBatch = (long) (BATCH / solo * 1e9);
    for (boolean waits : new boolean[] {false, true}) {
      for (boolean equal : new boolean[] {false, true}) {
        double split = median(() -> {
          List<BatchIterator> halves = data.streamingSplit(2, equal, options());
          long t0 = System.nanoTime();
          CompletableFuture<Long> slow = CompletableFuture.supplyAsync(() -> waits
              ? consume(halves.get(1), 0, 10 * soloNanosPerBatch)
              : consume(halves.get(1), WORK * 10, 0));
          long fastRows = consume(halves.get(0), WORK, 0);
          double rate = fastRows / secondsSince(t0);
          slow.join();
          return rate;
        });
        System.out.printf(Locale.ROOT, "streamingSplit(2, %s), B 10x slower (%s): A %.1f M"
            + " rows/s, A alone %.1f M rows/s, ratio %.2f%s%n", equal, waits ? "waits" : "busy",
            split / 1e6, solo / 1e6, split / solo,
            equal ? " (A held within prefetchBatches of B)" : " (goal >= 0.80)");
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
