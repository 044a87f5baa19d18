package dev.tributary.bench.peers;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.bench.kit.BenchSpec;
import dev.tributary.bench.kit.Harness;
import dev.tributary.bench.kit.ShuffleSum;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.expr.Expr;
import dev.tributary.it.Workloads;
import dev.tributary.memory.Arena;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The Tributary system: W1, W2, W3 (governed and ungoverned), W4, and issue #5's read (R5) and
 * write (W5) throughput next to the raw parquet-mr to Arrow loop measured in this same JVM. Run
 * by {@link PeerBench} in its own JVM.
 */
public final class TributaryRunner {
  /** The system's name in the report. */
  public static final String SYSTEM = "tributary";
  /** Arena limit for W1, W2, W4, R5 and W5. */
  static final long MEMORY_LIMIT = Bytes.GiB;

  private TributaryRunner() {}

  /**
   * Runs every workload and writes the results files; with {@code -Dpeers.suite=alltoall}, only
   * W3g, W6, W7 and W8 at the limit {@code -Dpeers.memoryMiB}.
   */
  public static void main(String[] args) throws Exception {
    BenchSpec spec = BenchSpec.fromSystemProperties();
    String version = "Tributary " + version();
    Harness h = new Harness(spec, SYSTEM, version);
    if ("alltoall".equals(System.getProperty("peers.suite"))) {
      allToAll(spec, Integer.getInteger("peers.memoryMiB"), h);
      h.write(h.resultFile());
      return;
    }
    Path results = h.resultFile().getParent();
    // -Dpeers.governor=false: W1, W2, W4, R5, W5 with the plain 8-block prefetch instead.
    boolean governed = !"false".equals(System.getProperty("peers.governor"));
    String settings = "Reactor, arena " + Bytes.format(MEMORY_LIMIT)
        + (governed ? ", governed" : ", ungoverned") + ", 1 read thread";
    // The process's one bound: the default runtime takes the current context's memory limit.
    DataContext.setCurrent(DataContext.defaults().withMemoryLimit(MEMORY_LIMIT));
    try (TributaryRuntime runtime = TributaryRuntime.defaultRuntime()) {
      Arena arena = runtime.arena();
      DataContext ctx = DataContext.defaults().withMemoryLimit(MEMORY_LIMIT)
          .withGovernor(governed);
      h.measure("W1", settings + ", mapBatches concurrency 2, row filter, SNAPPY", spec.rows(),
          run -> {
            Path out = spec.outputDir(SYSTEM, "W1");
            Harness.deleteRecursively(out);
            arena.resetPeak();
            run.startClock();
            WriteSummary s = etl(spec.dataPaths(), ctx, out);
            run.stopClock();
            run.bytes(s.bytes());
            run.peakArenaBytes(arena.peakBytes());
            return s.rows();
          });
      Harness vec = new Harness(spec, SYSTEM + "-vec", "Tributary " + version());
      vec.measure("W1", settings + ", filter inside one zero-copy mapBatchesArrow, SNAPPY",
          spec.rows(), run -> {
            Path out = spec.outputDir(SYSTEM + "-vec", "W1");
            Harness.deleteRecursively(out);
            arena.resetPeak();
            run.startClock();
            WriteSummary s = etlVectorised(spec, ctx, out);
            run.stopClock();
            run.bytes(s.bytes());
            run.peakArenaBytes(arena.peakBytes());
            return s.rows();
          });
      Harness expr = new Harness(spec, SYSTEM + "-expr", "Tributary " + version());
      expr.measure("W1", settings + ", withColumn(expr) + filter(expr), one fused stage, SNAPPY",
          spec.rows(), run -> {
            Path out = spec.outputDir(SYSTEM + "-expr", "W1");
            Harness.deleteRecursively(out);
            arena.resetPeak();
            run.startClock();
            WriteSummary s = etlExpressions(spec.dataPaths(), ctx, out);
            run.stopClock();
            run.bytes(s.bytes());
            run.peakArenaBytes(arena.peakBytes());
            return s.rows();
          });
      h.measure("W2", settings + ", filter(col(key).lt(lit(k))).sum(x)", spec.rows(), run -> {
        arena.resetPeak();
        double sum = filteredSum(spec, spec.dataPaths(), ctx);
        run.peakArenaBytes(arena.peakBytes());
        return sum;
      });
      vec.measure("W2", settings + ", hand-written loop over the blocks", spec.rows(), run -> {
        arena.resetPeak();
        double sum = scanReduce(spec, spec.dataPaths(), ctx);
        run.peakArenaBytes(arena.peakBytes());
        return sum;
      });
      h.measure("W4", settings + ", iterBatches(" + BenchSpec.FEED_BATCH_ROWS + ")", spec.rows(),
          run -> {
            arena.resetPeak();
            double sum = feed(spec, spec.dataPaths(), ctx);
            run.peakArenaBytes(arena.peakBytes());
            return sum;
          });
      variant(spec, ctx, arena, h, expr, settings);
      vec.write(results.resolve(SYSTEM + "-vec.json"));
      expr.write(results.resolve(SYSTEM + "-expr.json"));
      ioBenchmarks(spec, ctx, arena, h, results, settings);
    }
    governance(spec, h, version, results);
    h.write(h.resultFile());
  }

  /**
   * W1, W2 and W4 on the DuckDB-written copy (OPTIONAL columns, dictionary strings, several row
   * groups per file): W1v, W2v, W4v.
   */
  private static void variant(BenchSpec spec, DataContext ctx, Arena arena, Harness h,
      Harness expr, String settings) {
    String on = settings + ", DuckDB-written copy (OPTIONAL columns)";
    h.measure("W1v", on + ", mapBatches concurrency 2, row filter, SNAPPY", spec.rows(), run -> {
      Path out = spec.outputDir(SYSTEM, "W1v");
      Harness.deleteRecursively(out);
      arena.resetPeak();
      run.startClock();
      WriteSummary s = etl(spec.variantPaths(), ctx, out);
      run.stopClock();
      run.bytes(s.bytes());
      run.peakArenaBytes(arena.peakBytes());
      return s.rows();
    });
    expr.measure("W1v", on + ", withColumn(expr) + filter(expr), SNAPPY", spec.rows(), run -> {
      Path out = spec.outputDir(SYSTEM + "-expr", "W1v");
      Harness.deleteRecursively(out);
      arena.resetPeak();
      run.startClock();
      WriteSummary s = etlExpressions(spec.variantPaths(), ctx, out);
      run.stopClock();
      run.bytes(s.bytes());
      run.peakArenaBytes(arena.peakBytes());
      return s.rows();
    });
    h.measure("W2v", on + ", filter(col(key).lt(lit(k))).sum(x)", spec.rows(), run -> {
      arena.resetPeak();
      double sum = filteredSum(spec, spec.variantPaths(), ctx);
      run.peakArenaBytes(arena.peakBytes());
      return sum;
    });
    h.measure("W4v", on + ", iterBatches(" + BenchSpec.FEED_BATCH_ROWS + ")", spec.rows(),
        run -> {
          arena.resetPeak();
          double sum = feed(spec, spec.variantPaths(), ctx);
          run.peakArenaBytes(arena.peakBytes());
          return sum;
        });
  }

  /**
   * Issue 12's all-to-all workloads on the DuckDB-written copy, at one memory limit (the arena's
   * and the execution's; this JVM's heap stays as the driver set it): W3g group-by key (1,000
   * groups) and W6 group-by g (1M groups), each sum(x), count(), max(x); W7 sort by (x, id)
   * written to Parquet; W8 inner join with the dimension table on id, then sum(x * w), count()
   * and the distinct keys. Checks: W3g/W6 the sum over groups of sum + count + max plus the
   * number of groups; W7 the rows written; W8 sum + count + distinct keys.
   */
  static void allToAll(BenchSpec spec, int limitMiB, Harness h) throws IOException {
    long limit = limitMiB * Bytes.MiB;
    Path spill = spec.workDir().resolve("spill-" + SYSTEM);
    DataContext.setCurrent(DataContext.defaults().withMemoryLimit(limit));
    DataContext ctx = DataContext.defaults().withMemoryLimit(limit).withSpillDirectory(spill);
    String settings = "Reactor, arena " + Bytes.format(limit) + ", spill to local disk, heap "
        + Runtime.getRuntime().maxMemory() / Bytes.MiB + " MiB (not the limit)";
    List<String> variant = spec.variantPaths();
    try (TributaryRuntime runtime = TributaryRuntime.defaultRuntime()) {
      for (String[] w : new String[][] {{"W3g", "key"}, {"W6", "g"}}) {
        h.measure(BenchSpec.atLimit(w[0], limitMiB), settings + ", groupBy(" + w[1]
            + ").aggregate(sum, count, max)", spec.rows(), run -> {
              Dataset ds = Tributary.readParquet(ParquetSource.of(variant)
                      .columns(List.of(w[1], "x")))
                  .withContext(ctx)
                  .groupBy(w[1])
                  .aggregate(Aggregate.sum("x"), Aggregate.count(), Aggregate.max("x"));
              double[] check = new double[1];
              ds.toFlux().doOnNext(b -> {
                try (b) {
                  check[0] += b.rowCount() + sum(b.vector("sum(x)")) + sum(b.vector("count()"))
                      + sum(b.vector("max(x)"));
                }
              }).blockLast();
              run.stopClock();
              record(run, ds.stats());
              return check[0];
            });
      }
      h.measure(BenchSpec.atLimit("W7", limitMiB), settings + ", sort(x, id), SNAPPY",
          spec.rows(), run -> {
            Path out = spec.outputDir(SYSTEM, "W7");
            Harness.deleteRecursively(out);
            run.startClock();
            Dataset ds = Tributary.readParquet(ParquetSource.of(variant)
                    .columns(BenchSpec.SORT_COLUMNS))
                .withContext(ctx)
                .sort("x", "id");
            WriteSummary s = ds.writeParquet(ParquetSink.to(out)
                .compression(CompressionCodecName.SNAPPY));
            run.stopClock();
            run.bytes(s.bytes());
            record(run, ds.stats());
            return s.rows();
          });
      h.measure(BenchSpec.atLimit("W8", limitMiB), settings + ", join(dim, id) inner, then"
          + " sum(x * w), count(), unique(key)", spec.rows(), run -> {
            Dataset dim = Tributary.readParquet(ParquetSource.of(List.of(spec.dimFile().toString()))
                .columns(List.of("id", "w"))).withContext(ctx);
            Dataset ds = Tributary.readParquet(ParquetSource.of(variant)
                    .columns(List.of("id", "key", "x")))
                .withContext(ctx)
                .join(dim, "id")
                .withColumn("xw", Expr.col("x").times(Expr.col("w")));
            Map<String, Object> r = ds.aggregate(Aggregate.sum("xw"), Aggregate.count(),
                Aggregate.unique("key"));
            run.stopClock();
            record(run, ds.stats());
            Object sum = r.get("sum(xw)");
            return (sum == null ? 0 : ((Number) sum).doubleValue())
                + ((Number) r.get("count()")).doubleValue()
                + ((java.util.Collection<?>) r.get("unique(key)")).size();
          });
    } finally {
      Harness.deleteRecursively(spill);
    }
  }

  /** The execution's arena peak and the bytes its operators spilled. */
  private static void record(Harness.Run run, dev.tributary.ExecutionStats stats) {
    if (stats == null) {
      return;
    }
    run.peakArenaBytes(stats.arenaPeakBytes());
    long spilled = 0;
    for (dev.tributary.operators.OperatorSnapshot o : stats.operators()) {
      if (o.spills() != null) {
        spilled += o.spills().bytesSpilled();
      }
    }
    run.spilledBytes(spilled);
  }

  /** The sum of a numeric column's non-null values. */
  private static double sum(FieldVector v) {
    double s = 0;
    for (int i = 0; i < v.getValueCount(); i++) {
      if (!v.isNull(i)) {
        s += ((Number) v.getObject(i)).doubleValue();
      }
    }
    return s;
  }

  /** Tributary's version from its jar, or "dev" when run from classes. */
  static String version() {
    String v = Dataset.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  /** W1: read, vectorised z = x * 2 + y, filter z > 0, write SNAPPY Parquet. */
  static WriteSummary etl(List<String> paths, DataContext ctx, Path out) {
    return Tributary.readParquet(ParquetSource.of(paths).columns(BenchSpec.ETL_COLUMNS))
        .mapBatches(batch -> {
          double[] x = (double[]) batch.get("x");
          double[] y = (double[]) batch.get("y");
          double[] z = new double[x.length];
          for (int i = 0; i < z.length; i++) {
            z[i] = x[i] * 2 + y[i];
          }
          Map<String, Object> result = new LinkedHashMap<>(batch);
          result.put("z", z);
          return result;
        }, MapBatchesOptions.defaults().withConcurrency(2))
        .filter(row -> (Double) row.get("z") > 0)
        .withContext(ctx)
        .writeParquet(ParquetSink.to(out).compression(CompressionCodecName.SNAPPY));
  }

  /** W1 with expressions: z = x * 2 + y and z > 0 evaluated vectorized in one pass per block. */
  static WriteSummary etlExpressions(List<String> paths, DataContext ctx, Path out) {
    return Tributary.readParquet(ParquetSource.of(paths).columns(BenchSpec.ETL_COLUMNS))
        .withColumn("z", Expr.col("x").times(2).plus(Expr.col("y")))
        .filter(Expr.col("z").gt(0))
        .withContext(ctx)
        .writeParquet(ParquetSink.to(out).compression(CompressionCodecName.SNAPPY));
  }

  /**
   * W1 as a Tributary user would write it for speed today: z and the z > 0 selection in one
   * zero-copy Arrow batch function, no row-at-a-time filter.
   */
  static WriteSummary etlVectorised(BenchSpec spec, DataContext ctx, Path out) {
    return Tributary.readParquet(ParquetSource.of(spec.dataPaths()).columns(BenchSpec.ETL_COLUMNS))
        .mapBatchesArrow(TributaryRunner::computeAndSelect,
            MapBatchesOptions.defaults().withConcurrency(2).withZeroCopyBatch(true))
        .withContext(ctx)
        .writeParquet(ParquetSink.to(out).compression(CompressionCodecName.SNAPPY));
  }

  /** z = x * 2 + y, then only the rows where z > 0, as new vectors in {@code allocator}. */
  private static VectorSchemaRoot computeAndSelect(VectorSchemaRoot in, BufferAllocator allocator) {
    int n = in.getRowCount();
    Float8Vector x = (Float8Vector) in.getVector("x");
    Float8Vector y = (Float8Vector) in.getVector("y");
    double[] z = new double[n];
    int[] keep = new int[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      z[i] = x.get(i) * 2 + y.get(i);
      if (z[i] > 0) {
        keep[kept++] = i;
      }
    }
    List<FieldVector> out = new ArrayList<>();
    for (FieldVector v : in.getFieldVectors()) {
      FieldVector copy = v.getField().createVector(allocator);
      copy.setInitialCapacity(kept);
      copy.allocateNew();
      for (int j = 0; j < kept; j++) {
        copy.copyFromSafe(keep[j], j, v);
      }
      copy.setValueCount(kept);
      out.add(copy);
    }
    Float8Vector zv = new Float8Vector("z", allocator);
    zv.allocateNew(kept);
    for (int j = 0; j < kept; j++) {
      zv.set(j, z[keep[j]]);
    }
    zv.setValueCount(kept);
    out.add(zv);
    return new VectorSchemaRoot(out);
  }

  /** W2 as a user writes it: {@code filter(col("key").lt(lit(k))).sum("x")}. */
  static double filteredSum(BenchSpec spec, List<String> paths, DataContext ctx) {
    Number sum = Tributary.readParquet(paths.toArray(String[]::new))
        .withContext(ctx)
        .filter(Expr.col("key").lt(Expr.lit(spec.keyThreshold())))
        .sum("x");
    return sum == null ? Double.NaN : sum.doubleValue();
  }

  /** W2: the sum of x where key is below the threshold, over the raw block stream. */
  static double scanReduce(BenchSpec spec, List<String> paths, DataContext ctx) {
    int k = spec.keyThreshold();
    Double sum = Tributary.readParquet(
            ParquetSource.of(paths).columns(BenchSpec.SCAN_COLUMNS))
        .withContext(ctx)
        .toFlux()
        .map(b -> {
          try (b) {
            IntVector key = (IntVector) b.vector("key");
            Float8Vector x = (Float8Vector) b.vector("x");
            double s = 0;
            // Read once: Block.rowCount() checks the block is open (a volatile read) each call.
            int rows = b.rowCount();
            for (int i = 0; i < rows; i++) {
              if (key.get(i) < k) {
                s += x.get(i);
              }
            }
            return s;
          }
        })
        .reduce(0.0, Double::sum)
        .block();
    return sum == null ? Double.NaN : sum;
  }

  /** W4: {@code iterBatches(1024)} fed to the shuffling consumer; returns the sum of x. */
  static double feed(BenchSpec spec, List<String> paths, DataContext ctx) {
    ShuffleSum consumer = new ShuffleSum(spec.shuffleBufferRows(), spec.seed());
    Tributary.readParquet(ParquetSource.of(paths).columns(BenchSpec.FEED_COLUMNS))
        .withContext(ctx)
        .iterBatches(BenchSpec.FEED_BATCH_ROWS)
        .doOnNext(batch -> {
          double[] x = (double[]) batch.get("x");
          consumer.accept(x, x.length);
        })
        .blockLast();
    return consumer.finish();
  }

  /**
   * Issue #5: read throughput of {@code readParquet} and write throughput of {@code
   * writeParquet}, each next to the raw parquet-mr loop over the same files and Arrow vectors.
   */
  private static void ioBenchmarks(BenchSpec spec, DataContext ctx, Arena arena, Harness h,
      Path results, String settings) throws IOException {
    Harness raw = new Harness(spec, RawArrowRunner.SYSTEM, RawArrowRunner.version());
    String rawSettings = "1 thread, same JVM as tributary";
    try (BufferAllocator allocator = new RootAllocator()) {
      Harness parallel = new Harness(spec, SYSTEM + "-parallel", "Tributary " + version());
      int threads = Integer.getInteger("peers.readParallelism", ParquetSource.DEFAULT_PARALLELISM);
      Harness.alternate("R5", spec.rows(), List.of(
          new Harness.Contender(raw, rawSettings, run -> {
            long[] rowsAndBytes = new long[2];
            for (Path file : spec.dataFiles()) {
              RawParquet.read(file, BenchSpec.IO_COLUMNS, allocator, root -> {
                try (root) {
                  rowsAndBytes[0] += root.getRowCount();
                  rowsAndBytes[1] += RawParquet.arrowBytes(root);
                }
              });
            }
            run.bytes(rowsAndBytes[1]);
            return rowsAndBytes[0];
          }),
          new Harness.Contender(h, settings + ", parallelism(1): one reading thread",
              run -> read(spec, ctx, arena, 1, run)),
          new Harness.Contender(parallel, settings + ", parallelism(" + threads + ")",
              run -> read(spec, ctx, arena, threads, run))));
      parallel.write(results.resolve(SYSTEM + "-parallel.json"));
      // W5: the same Arrow vectors (read once, untimed) written by both.
      List<VectorSchemaRoot> roots = new ArrayList<>();
      try {
        for (Path file : spec.dataFiles()) {
          RawParquet.read(file, BenchSpec.IO_COLUMNS, allocator, roots::add);
        }
        long bytes = roots.stream().mapToLong(RawParquet::arrowBytes).sum();
        VectorSchemaRoot[] array = roots.toArray(new VectorSchemaRoot[0]);
        Harness.alternate("W5", spec.rows(), raw, rawSettings + ", SNAPPY", run -> {
          Path out = spec.outputDir(RawArrowRunner.SYSTEM, "W5");
          Harness.deleteRecursively(out);
          java.nio.file.Files.createDirectories(out);
          run.startClock();
          long rows = 0;
          try (RawParquet.Writer w = new RawParquet.Writer(out.resolve("part-0.parquet"),
              array[0].getSchema(), CompressionCodecName.SNAPPY)) {
            for (VectorSchemaRoot root : array) {
              w.writeAll(root);
              rows += root.getRowCount();
            }
          }
          run.bytes(bytes);
          return rows;
        }, h, settings + ", fromArrow (copies), SNAPPY", run -> {
          Path out = spec.outputDir(SYSTEM, "W5");
          Harness.deleteRecursively(out);
          arena.resetPeak();
          run.startClock();
          WriteSummary s = Tributary.fromArrow(array).withContext(ctx)
              .writeParquet(ParquetSink.to(out).compression(CompressionCodecName.SNAPPY));
          run.bytes(bytes);
          run.peakArenaBytes(arena.peakBytes());
          return s.rows();
        });
      } finally {
        roots.forEach(VectorSchemaRoot::close);
      }
    }
    raw.write(results.resolve(RawArrowRunner.SYSTEM + "-io.json"));
  }

  /** One R5 run: {@code readParquet} with {@code threads} row groups read at once. */
  private static double read(BenchSpec spec, DataContext ctx, Arena arena, int threads,
      Harness.Run run) {
    long[] rowsAndBytes = new long[2];
    arena.resetPeak();
    Tributary.readParquet(ParquetSource.of(spec.dataPaths()).columns(BenchSpec.IO_COLUMNS)
            .parallelism(threads))
        .withContext(ctx)
        .toFlux()
        .doOnNext(b -> {
          try (Block block = b) {
            rowsAndBytes[0] += block.rowCount();
            rowsAndBytes[1] += RawParquet.arrowBytes(block.root());
          }
        })
        .blockLast();
    run.bytes(rowsAndBytes[1]);
    run.peakArenaBytes(arena.peakBytes());
    return rowsAndBytes[0];
  }

  /** One W3 run, governed or not; returns the rows the sink received. */
  private static double w3(BenchSpec spec, boolean on, Harness.Run run) {
    long limit = spec.w3LimitMiB() * Bytes.MiB;
    long bytes = spec.w3Factor() * limit;
    Workloads.run(limit, bytes, Bytes.MiB, Duration.ofNanos(spec.w3SinkMicros() * 1000L), on,
        new Workloads.RunHooks() {
          @Override
          public void start() {
            run.startClock();
          }

          @Override
          public void stop() {
            run.stopClock();
          }

          @Override
          public void peak(long peakBytes) {
            run.peakArenaBytes(peakBytes);
          }
        });
    run.bytes(bytes);
    return bytes / Long.BYTES;
  }


  /**
   * W3: {@link dev.tributary.bench.GovernanceBench}'s workload (a source of {@code w3Factor} x
   * the limit, 4x inflation, a slow sink) governed and with the plain 8-block prefetch, run by
   * run in turn.
   */
  private static void governance(BenchSpec spec, Harness governed, String version, Path results)
      throws IOException {
    long limit = spec.w3LimitMiB() * Bytes.MiB;
    long bytes = spec.w3Factor() * limit;
    long rows = bytes / Long.BYTES;
    Harness ungoverned = new Harness(spec, SYSTEM + "-ungoverned", version);
    String settings = "limit " + Bytes.format(limit) + ", source " + spec.w3Factor()
        + "x limit in 1 MiB blocks, 4x inflation (concurrency 4), sink " + spec.w3SinkMicros()
        + " us/block";
    Harness.alternate("W3", rows, governed, settings + ", governed", run -> w3(spec, true, run),
        ungoverned, settings + ", 8-block prefetch", run -> w3(spec, false, run));
    ungoverned.write(results.resolve(SYSTEM + "-ungoverned.json"));
  }
}
