package dev.tributary.bench.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import dev.tributary.bench.kit.BenchSpec;
import dev.tributary.bench.kit.FeedBatches;
import dev.tributary.bench.kit.Harness;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
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

  /** Runs the workloads and writes the results file. */
  public static void main(String[] args) throws Exception {
    BenchSpec spec = BenchSpec.fromSystemProperties();
    SparkSession spark = SparkSession.builder()
        .master("local[2]")
        .appName("tributary-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.parquet.compression.codec", "snappy")
        .config("spark.sql.adaptive.enabled", "true")
        .getOrCreate();
    String settings = "local[2], shuffle partitions 2, heap 4g, vectorised Parquet reader";
    Harness h = new Harness(spec, SYSTEM, "Spark " + spark.version() + ", Scala "
        + scala.util.Properties.versionNumberString());
    String[] paths = spec.dataPaths().toArray(new String[0]);
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
    } finally {
      spark.stop();
    }
    h.write(h.resultFile());
  }

  private static Column[] columns(List<String> names) {
    return names.stream().map(n -> col(n)).toArray(Column[]::new);
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
