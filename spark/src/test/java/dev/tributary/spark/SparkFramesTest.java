package dev.tributary.spark;

import static dev.tributary.expr.Expr.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.UnsupportedPlanException;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.aggregate.Aggregate;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets as Spark DataFrames and back ({@code local[2]}): every flat type with nulls read by
 * Spark from Tributary's own vectors, summed by Spark SQL as DuckDB sums the files, and back in
 * Tributary unchanged; a DataFrame Spark made read as a dataset.
 */
class SparkFramesTest {
  private static final int FILES = 2;
  private static final int ROWS_PER_FILE = 3_000;
  /** Every column but id null on some rows. */
  private static final String TYPES = "SELECT i AS id,"
      + " CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 100)::TINYINT END AS i8,"
      + " CASE WHEN i % 5 = 1 THEN NULL ELSE (i % 30000)::SMALLINT END AS i16,"
      + " CASE WHEN i % 5 = 2 THEN NULL ELSE (i * 7)::INTEGER END AS i32,"
      + " CASE WHEN i % 5 = 3 THEN NULL ELSE (i * 1000003)::BIGINT END AS i64,"
      + " CASE WHEN i % 5 = 4 THEN NULL ELSE (i * 0.5)::FLOAT END AS f32,"
      + " CASE WHEN i % 6 = 0 THEN NULL ELSE (i * 0.25)::DOUBLE END AS f64,"
      + " CASE WHEN i % 6 = 1 THEN NULL ELSE i % 2 = 0 END AS b,"
      + " CASE WHEN i % 6 = 2 THEN NULL ELSE 'name ' || i END AS s,"
      + " CASE WHEN i % 6 = 3 THEN NULL ELSE ('x' || i)::BLOB END AS bin,"
      + " CASE WHEN i % 6 = 4 THEN NULL ELSE DATE '2024-01-01' + (i % 900)::INTEGER END AS d,"
      + " CASE WHEN i % 6 = 5 THEN NULL ELSE TIMESTAMP '2024-01-01' + i * INTERVAL 1 SECOND"
      + " END AS ts,"
      + " CASE WHEN i % 7 = 0 THEN NULL ELSE TIMESTAMPTZ '2024-01-01 00:00:00+00'"
      + " + i * INTERVAL 1 MINUTE END AS tstz,"
      + " CASE WHEN i % 7 = 1 THEN NULL ELSE (TIMESTAMP '2023-06-01' + i * INTERVAL 3 SECOND)"
      + "::TIMESTAMP_MS END AS tsms,"
      + " CASE WHEN i % 7 = 2 THEN NULL ELSE (i * 1.25)::DECIMAL(10, 2) END AS dec";

  @TempDir
  static Path data;
  @TempDir
  static Path other;
  private static SparkSession session;
  private static SparkEngine spark;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("frames-test")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @BeforeAll
  static void start() throws Exception {
    Class.forName("org.apache.arrow.vector.compression.CompressionCodec$Factory");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      for (int f = 0; f < FILES; f++) {
        st.execute("COPY (" + TYPES + " FROM range(" + f * ROWS_PER_FILE + ", "
            + (f + 1) * ROWS_PER_FILE + ") t(i)) TO '" + data.resolve("part-" + f + ".parquet")
            + "' (FORMAT parquet, ROW_GROUP_SIZE 1000)");
      }
      st.execute("COPY (SELECT i AS id, TIMESTAMP_NS '2024-01-01 00:00:00.000000001' AS ns"
          + " FROM range(3) t(i)) TO '" + other.resolve("ns.parquet") + "' (FORMAT parquet)");
    }
    // Executors run in this JVM (local[2]): their runtimes fail a task on a leak, as the
    // build's tributary.failOnLeak says.
    session = SparkSession.builder().master("local[2]").appName("tributary-frames-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "700")
        .getOrCreate();
    spark = SparkEngine.of(session).taskMemoryLimit(64 * Bytes.MiB);
  }

  @AfterAll
  static void stop() {
    if (session != null) {
      session.stop();
    }
  }

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private Dataset read() {
    return Tributary.readParquet(data.toString()).withRuntime(runtime);
  }

  @Test
  void everyFlatTypeWithNullsReachesSparkAsIsAndComesBackUnchanged() throws Exception {
    org.apache.spark.sql.Dataset<Row> frame = spark.toSpark(read());

    assertThat(frame.columns()).containsExactly("id", "i8", "i16", "i32", "i64", "f32", "f64",
        "b", "s", "bin", "d", "ts", "tstz", "tsms", "dec");
    assertThat(frame.rdd().getNumPartitions()).as("one per file").isEqualTo(FILES);
    // Spark SQL over Tributary's vectors, against DuckDB over the files.
    Row sums = frame.agg(functions.count("*"), functions.sum("i8"), functions.sum("i16"),
        functions.sum("i32"), functions.sum("i64"), functions.sum("f32"), functions.sum("f64"),
        functions.count("b"), functions.sum(functions.col("b").cast("int")),
        functions.sum(functions.length(functions.col("s"))),
        functions.sum(functions.length(functions.col("bin"))),
        functions.sum(functions.unix_date(functions.col("d"))),
        functions.sum(functions.unix_micros(functions.col("tstz"))),
        functions.sum(functions.col("dec")),
        functions.count("ts"), functions.max("ts").cast("string"),
        functions.max("tsms").cast("string")).first();
    List<Object> duck = duckRow("SELECT count(*), sum(i8), sum(i16), sum(i32), sum(i64),"
        + " sum(f32), sum(f64), count(b), sum(b::INTEGER), sum(length(s)), sum(octet_length(bin)),"
        + " sum(d - DATE '1970-01-01'), sum(epoch_us(tstz)), sum(dec), count(ts),"
        + " max(ts)::VARCHAR, max(tsms)::VARCHAR FROM read_parquet('" + data + "/*.parquet')");
    assertThat(cells(sums)).isEqualTo(cells(duck));

    List<Map<String, Object>> back = SparkEngine.fromSpark(frame).withRuntime(runtime)
        .takeAll();
    assertThat(lines(back)).hasSize(FILES * ROWS_PER_FILE).isEqualTo(lines(read().takeAll()));
    assertThat(frame.select("id", "s").limit(3).collectAsList())
        .as("a read stopped early ends its tasks")
        .hasSize(3);
  }

  @Test
  void aPipelineRunsInTheTasksAndGivesTheLocalEnginesRows() {
    Dataset ds = read().filter(col("i32").gt(100)).withColumn("y", col("f64").times(2))
        .map(row -> {
          row.put("z", row.get("s") == null ? "-" : ((String) row.get("s")).toUpperCase());
          return row;
        })
        .select("id", "y", "z");
    org.apache.spark.sql.Dataset<Row> frame = spark.toSpark(ds);

    Row got = frame.agg(functions.count("*"), functions.sum("y"),
        functions.countDistinct("z")).first();
    Map<String, Object> local = ds.aggregate(Aggregate.count(), Aggregate.sum("y"));
    assertThat(got.getLong(0)).isEqualTo(((Number) local.get("count()")).longValue());
    assertThat(got.getDouble(1)).isEqualTo(((Number) local.get("sum(y)")).doubleValue());
    assertThat(lines(SparkEngine.fromSpark(frame).withRuntime(runtime).takeAll()))
        .isEqualTo(lines(ds.takeAll()));
  }

  @Test
  void aDataFrameSparkMadeIsReadAsADataset() {
    org.apache.spark.sql.Dataset<Row> frame = session.range(0, 5_000).selectExpr("id",
        "cast(id % 3 as int) as k", "if(id % 7 = 0, null, cast(id as string)) as s",
        "if(id % 11 = 0, null, cast(id as double) * 0.5) as x");

    Dataset ds = SparkEngine.fromSpark(frame).withRuntime(runtime);
    List<Map<String, Object>> groups = ds.groupBy("k")
        .aggregate(Aggregate.count(), Aggregate.sum("x")).sort("k").takeAll();

    assertThat(ds.count()).isEqualTo(5_000);
    assertThat(groups).hasSize(3);
    for (Map<String, Object> g : groups) {
      int k = ((Number) g.get("k")).intValue();
      Row want = frame.filter("k = " + k).agg(functions.count("*"), functions.sum("x")).first();
      assertThat(((Number) g.get("count()")).longValue()).isEqualTo(want.getLong(0));
      assertThat(((Number) g.get("sum(x)")).doubleValue()).isEqualTo(want.getDouble(1));
    }
    assertThat(ds.filter(col("id").eq(14)).takeAll()).singleElement()
        .satisfies(row -> assertThat(row).containsEntry("s", null).containsEntry("x", 7.0));
  }

  @Test
  void anAllToAllStageOrAColumnSparkCannotReadExactlyIsRefusedNamingIt() {
    assertThatThrownBy(() -> spark.toSpark(read().groupBy("b").aggregate(Aggregate.count())))
        .isInstanceOf(UnsupportedPlanException.class).hasMessageContaining("Aggregate")
        .hasMessageContaining("stagingDirectory(dir)").hasMessageContaining("Spark SQL");
    assertThatThrownBy(() -> spark.toSpark(Tributary.readParquet(other.toString())
        .withRuntime(runtime)))
        .isInstanceOf(ColumnException.class).hasMessageContaining("ns")
        .hasMessageContaining("microsecond");
  }

  @Test
  void anAllToAllStageRunsFirstIntoTheStagingDirectoryAndItsResultIsHandedToSpark(
      @TempDir Path staging) throws Exception {
    Dataset ds = read().groupBy("b").aggregate(Aggregate.count(), Aggregate.sum("i32"),
        Aggregate.mean("f64"));
    Map<Object, List<Object>> local = new java.util.HashMap<>();
    ds.takeAll().forEach(r -> local.put(r.get("b"), Arrays.asList(r.get("count()"),
        r.get("sum(i32)"), r.get("mean(f64)"))));

    org.apache.spark.sql.Dataset<Row> frame = spark.stagingDirectory(staging.toString())
        .toSpark(ds);

    Map<Object, List<Object>> onSpark = new java.util.HashMap<>();
    for (Row row : frame.collectAsList()) {
      onSpark.put(row.get(0), Arrays.asList(row.get(1), row.get(2), row.get(3)));
    }
    assertThat(onSpark).hasSize(3).containsOnlyKeys(local.keySet());
    onSpark.forEach((b, values) -> {
      assertThat(values.subList(0, 2)).as("count and sum of %s", b)
          .isEqualTo(local.get(b).subList(0, 2));
      assertThat((Double) values.get(2)).as("mean of %s: parts' sums", b).isCloseTo(
          (Double) local.get(b).get(2), org.assertj.core.data.Percentage.withPercentage(1e-10));
    });
    assertThat(frame.count()).as("read again from the staged files").isEqualTo(3);
    org.apache.spark.sql.Dataset<Row> none = spark.stagingDirectory(staging.toString())
        .toSpark(read().filter(col("id").lt(0)).groupBy("b").aggregate(Aggregate.count()));
    assertThat(none.count()).as("no rows: no file, and no columns").isZero();
    assertThat(none.columns()).isEmpty();
    try (var staged = java.nio.file.Files.list(staging)) {
      assertThat(staged).singleElement().satisfies(dir -> assertThat(dir.getFileName()
          .toString()).startsWith("tributary-frame-"));
    }
  }

  /** Rows as lines sorted by id, binary values as their bytes. */
  private static List<String> lines(List<Map<String, Object>> rows) {
    List<Map<String, Object>> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingLong(r -> ((Number) r.get("id")).longValue()));
    List<String> out = new ArrayList<>();
    for (Map<String, Object> row : sorted) {
      StringBuilder line = new StringBuilder();
      row.forEach((k, v) -> line.append(k).append('=')
          .append(v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v)).append("; "));
      out.add(line.toString());
    }
    return out;
  }

  /** Numbers as exact decimals (Spark and DuckDB answer sums in different classes). */
  private static List<String> cells(Row row) {
    List<Object> values = new ArrayList<>();
    for (int c = 0; c < row.length(); c++) {
      values.add(row.get(c));
    }
    return cells(values);
  }

  private static List<String> cells(List<Object> values) {
    return values.stream().map(v -> v instanceof Number n
        ? new BigDecimal(n.toString()).stripTrailingZeros().toPlainString()
        : String.valueOf(v)).toList();
  }

  private static List<Object> duckRow(String query) throws Exception {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = st.executeQuery(query)) {
        rs.next();
        List<Object> row = new ArrayList<>();
        for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
          row.add(rs.getObject(c));
        }
        return row;
      }
    }
  }
}
