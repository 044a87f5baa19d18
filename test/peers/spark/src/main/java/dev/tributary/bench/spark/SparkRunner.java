package dev.tributary.bench.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import dev.tributary.bench.kit.BenchSpec;
import dev.tributary.bench.kit.FeedBatches;
import dev.tributary.bench.kit.Harness;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark system: W1, W2 and W4 with Spark SQL in local mode with two task threads, on the same
 * files and the same column projections as every other system.
 */
public final class SparkRunner {
  /** The system's name in the report. */
  public static final String SYSTEM = "spark";

  private SparkRunner() {}

  /**
   * Runs the workloads and writes the results file; with {@code -Dpeers.suite=alltoall}, only
   * W3g, W6, W7 and W8 in a driver whose heap ({@code -Xmx}, set by the launcher) is the limit
   * {@code -Dpeers.memoryMiB}. A session that cannot start is recorded as such for each workload.
   */
  public static void main(String[] args) throws Exception {
    BenchSpec spec = BenchSpec.fromSystemProperties();
    boolean allToAll = "alltoall".equals(System.getProperty("peers.suite"));
    long heapMiB = Runtime.getRuntime().maxMemory() >> 20;
    SparkSession spark;
    try {
      spark = SparkSession.builder()
          .master("local[2]")
          .appName("tributary-bench")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.sql.parquet.compression.codec", "snappy")
          .config("spark.sql.adaptive.enabled", "true")
          .config("spark.local.dir", spec.workDir().resolve("spill-" + SYSTEM).toString())
          .getOrCreate();
    } catch (Exception | Error e) {
      if (!allToAll) {
        throw e;
      }
      Harness h = new Harness(spec, SYSTEM, "Spark");
      for (String w : BenchSpec.ALL_TO_ALL) {
        h.notRun(BenchSpec.atLimit(w, Integer.getInteger("peers.memoryMiB")),
            "local[2], driver heap " + heapMiB + " MiB", spec.rows(),
            "did not start: " + Harness.describe(e).substring("failed: ".length()));
      }
      h.write(h.resultFile());
      return;
    }
    String settings = "local[2], shuffle partitions 2, heap " + heapMiB
        + " MiB, vectorised Parquet reader";
    Harness h = new Harness(spec, SYSTEM, "Spark " + spark.version() + ", Scala "
        + scala.util.Properties.versionNumberString());
    String[] paths = spec.dataPaths().toArray(new String[0]);
    String[] variant = spec.variantPaths().toArray(new String[0]);
    if (allToAll) {
      try {
        allToAll(spark, spec, variant, Integer.getInteger("peers.memoryMiB"), h, settings);
      } finally {
        spark.stop();
      }
      h.write(h.resultFile());
      return;
    }
    try {
      h.measure("W1", settings + ", SNAPPY", spec.rows(), run -> {
        Path out = spec.outputDir(SYSTEM, "W1");
        Harness.deleteRecursively(out);
        run.startClock();
        spark.read().parquet(paths)
            .select(columns(BenchSpec.ETL_COLUMNS))
            .withColumn("z", col("x").multiply(2).plus(col("y")))
            .filter(col("z").gt(0))
            .write().mode(SaveMode.Overwrite).option("compression", "snappy")
            .parquet(out.toString());
        run.stopClock();
        run.bytes(Harness.sizeOf(out));
        return spark.read().parquet(out.toString()).count();
      });
      h.measure("W2", settings, spec.rows(), run -> {
        Row r = spark.read().parquet(paths)
            .filter(col("key").lt(spec.keyThreshold()))
            .agg(sum("x"))
            .first();
        return r.getDouble(0);
      });
      h.measure("W4", settings + ", toLocalIterator, batches of " + BenchSpec.FEED_BATCH_ROWS,
          spec.rows(), run -> feed(spark, paths, spec));
      String on = settings + ", DuckDB-written copy";
      h.measure("W1v", on + ", SNAPPY", spec.rows(), run -> {
        Path out = spec.outputDir(SYSTEM, "W1v");
        Harness.deleteRecursively(out);
        run.startClock();
        spark.read().parquet(variant)
            .select(columns(BenchSpec.ETL_COLUMNS))
            .withColumn("z", col("x").multiply(2).plus(col("y")))
            .filter(col("z").gt(0))
            .write().mode(SaveMode.Overwrite).option("compression", "snappy")
            .parquet(out.toString());
        run.stopClock();
        run.bytes(Harness.sizeOf(out));
        return spark.read().parquet(out.toString()).count();
      });
      h.measure("W2v", on, spec.rows(), run -> spark.read().parquet(variant)
          .filter(col("key").lt(spec.keyThreshold())).agg(sum("x")).first().getDouble(0));
      h.measure("W4v", on + ", toLocalIterator, batches of " + BenchSpec.FEED_BATCH_ROWS,
          spec.rows(), run -> feed(spark, variant, spec));
    } finally {
      spark.stop();
    }
    h.write(h.resultFile());
  }

  private static Column[] columns(List<String> names) {
    return names.stream().map(n -> col(n)).toArray(Column[]::new);
  }

  /**
   * Issue 12's W3g, W6, W7 and W8 (see TributaryRunner.allToAll for the workloads and checks).
   * Spilled bytes: the tasks' {@code diskBytesSpilled}, summed by a listener.
   */
  private static void allToAll(SparkSession spark, BenchSpec spec, String[] variant,
      int limitMiB, Harness h, String settings) {
    AtomicLong spilled = new AtomicLong();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          spilled.addAndGet(end.taskMetrics().diskBytesSpilled());
        }
      }
    });
    for (String[] w : new String[][] {{"W3g", "key"}, {"W6", "g"}}) {
      h.measure(BenchSpec.atLimit(w[0], limitMiB), settings + ", groupBy(" + w[1] + ")",
          spec.rows(), run -> {
            spilled.set(0);
            Row r = spark.read().parquet(variant)
                .groupBy(w[1])
                .agg(sum("x").as("s"), count(lit(1)).as("c"), max("x").as("m"))
                .agg(sum("s"), sum("c"), sum("m"), count(lit(1)))
                .first();
            run.stopClock();
            run.spilledBytes(settled(spilled));
            return r.getDouble(0) + r.getLong(1) + r.getDouble(2) + r.getLong(3);
          });
    }
    h.measure(BenchSpec.atLimit("W7", limitMiB), settings + ", orderBy(x, id), SNAPPY",
        spec.rows(), run -> {
          Path out = spec.outputDir(SYSTEM, "W7");
          Harness.deleteRecursively(out);
          spilled.set(0);
          run.startClock();
          spark.read().parquet(variant)
              .select(columns(BenchSpec.SORT_COLUMNS))
              .orderBy("x", "id")
              .write().mode(SaveMode.Overwrite).option("compression", "snappy")
              .parquet(out.toString());
          run.stopClock();
          run.bytes(Harness.sizeOf(out));
          run.spilledBytes(settled(spilled));
          return spark.read().parquet(out.toString()).count();
        });
    h.measure(BenchSpec.atLimit("W8", limitMiB), settings + ", join(dim, id) inner",
        spec.rows(), run -> {
          spilled.set(0);
          Dataset<Row> dim = spark.read().parquet(spec.dimFile().toString());
          Row r = spark.read().parquet(variant).select("id", "key", "x")
              .join(dim, "id")
              .agg(sum(col("x").multiply(col("w"))), count(lit(1)), countDistinct(col("key")))
              .first();
          run.stopClock();
          run.spilledBytes(settled(spilled));
          return r.getDouble(0) + r.getLong(1) + r.getLong(2);
        });
  }

  /** The spilled bytes once the listener bus has delivered the last task's end (unmeasured). */
  private static long settled(AtomicLong spilled) throws InterruptedException {
    Thread.sleep(200);
    return spilled.get();
  }

  /** Rows streamed to the driver, gathered into column batches of 1024 for the consumer. */
  private static double feed(SparkSession spark, String[] paths, BenchSpec spec) {
    Dataset<Row> df = spark.read().parquet(paths).select(columns(BenchSpec.FEED_COLUMNS));
    FeedBatches batches = new FeedBatches(spec);
    Iterator<Row> rows = df.toLocalIterator();
    while (rows.hasNext()) {
      Row r = rows.next();
      batches.add(r.getLong(0), r.getInt(1), r.getDouble(2), r.getDouble(3));
    }
    return batches.finish();
  }
}
