package dev.tributary.spark;

import static dev.tributary.expr.Expr.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.Dataset;
import dev.tributary.Engine;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.UnsupportedPlanException;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.UserFunctionException;
import dev.tributary.operators.aggregate.Aggregate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same dataset definitions on the local engine and on Spark ({@code local[2]}, one session
 * for the class) give the same rows, checked against each other and against DuckDB; plans Spark
 * cannot run, or that hold functions that cannot travel, fail on the driver before the job.
 */
class SparkEngineTest {
  private static final int FILES = 4;
  private static final int ROWS_PER_FILE = 2_500;

  @TempDir
  static Path data;
  private static SparkSession session;
  private static Engine spark;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("spark-test")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path out;

  @BeforeAll
  static void start() throws Exception {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      for (int f = 0; f < FILES; f++) {
        st.execute("COPY (SELECT i AS id, 'k' || (i % 7) AS k, (i * 0.25)::DOUBLE AS x, "
            + "CASE WHEN i % 11 = 0 THEN NULL ELSE i % 100 END AS v FROM range("
            + f * ROWS_PER_FILE + ", " + (f + 1) * ROWS_PER_FILE + ") t(i)) TO '"
            + data.resolve("part-" + f + ".parquet") + "' (FORMAT parquet)");
      }
    }
    session = SparkSession.builder().master("local[2]").appName("tributary-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.default.parallelism", "3")
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
  void expressionsAndFiltersGiveTheSameRowsAsLocallyAndDuckDb() throws Exception {
    Dataset ds = read()
        .filter(col("id").mod(3).ne(0))
        .withColumn("y", col("x").times(2).plus(col("v")))
        .select("id", "k", "y");

    List<String> local = rows(ds.takeAll());
    List<String> onSpark = rows(ds.execute(spark).withRuntime(runtime).takeAll());

    assertThat(onSpark).hasSize(6_666).isEqualTo(local);
    assertThat(onSpark).isEqualTo(rows(duck("SELECT id, k, x * 2 + v AS y FROM read_parquet('"
        + data + "/*.parquet') WHERE id % 3 <> 0")));
  }

  @Test
  void aGroupByAggregationShufflesArrowBlocksAndMatches() throws Exception {
    Dataset ds = read().filter(col("v").gt(10)).groupBy("k")
        .aggregate(Aggregate.count(), Aggregate.sum("v"), Aggregate.max("x"));
    List<TaskMemory> tasks = new CopyOnWriteArrayList<>();
    Engine reporting = SparkEngine.of(session).taskMemoryLimit(64 * Bytes.MiB)
        .onJobEnd(tasks::addAll);

    List<String> onSpark = rows(ds.execute(reporting).withRuntime(runtime).takeAll());

    assertThat(tasks).as("every read task and every exchange partition, each within its bound")
        .hasSize(FILES + 3)
        .allSatisfy(t -> assertThat(t.peakBytes()).isPositive().isLessThanOrEqualTo(
            t.limitBytes()).isLessThanOrEqualTo(64 * Bytes.MiB));

    assertThat(onSpark).hasSize(7).isEqualTo(rows(ds.takeAll()));
    assertThat(onSpark).isEqualTo(rows(duck("SELECT k, count(*) AS \"count()\", "
        + "sum(v) AS \"sum(v)\", max(x) AS \"max(x)\" FROM read_parquet('" + data
        + "/*.parquet') WHERE v > 10 GROUP BY k")));
  }

  @Test
  void aRepartitionByKeyThenAPlainRowLambdaRunsOnTheExecutors() {
    // A plain lambda: Dataset's function types are serializable, no cast needed.
    Dataset ds = read().select("id", "k").repartition(3, "k").map(row -> {
      Map<String, Object> next = new LinkedHashMap<>(row);
      next.put("tag", row.get("k") + "/" + row.get("id"));
      return next;
    });

    List<String> onSpark = rows(ds.execute(spark).withRuntime(runtime).takeAll());

    assertThat(onSpark).hasSize(FILES * ROWS_PER_FILE).isEqualTo(rows(ds.takeAll()));
  }

  @Test
  void aWriteIsStagedPerTaskAndCommittedOnceOnTheDriver() throws Exception {
    Path target = out.resolve("written");
    Dataset ds = read().filter(col("id").lt(9_000)).withColumn("z", col("id").times(10));

    WriteSummary written = ds.execute(spark).writeParquet(target.toString());

    assertThat(written.rows()).isEqualTo(9_000);
    assertThat(written.files()).hasSize(FILES).allSatisfy(f -> assertThat(f).exists());
    try (Stream<Path> beside = Files.list(out)) {
      assertThat(beside).as("no staging left beside the target").containsExactly(target);
    }
    assertThat(rows(duck("SELECT * FROM read_parquet('" + target + "/**/*.parquet')")))
        .isEqualTo(rows(ds.takeAll()));
  }

  @Test
  void aFailingFunctionFailsTheJobWithItsOwnErrorAndTheWriteLeavesNothing() throws Exception {
    Path target = out.resolve("failed");
    Dataset ds = read().map(row -> {
      if (((Number) row.get("id")).longValue() == 7_777) {
        throw new IllegalStateException("bad row 7777");
      }
      return row;
    });

    assertThatThrownBy(() -> ds.execute(spark).writeParquet(target.toString()))
        .isInstanceOf(UserFunctionException.class)
        .hasRootCauseMessage("bad row 7777");
    assertThat(target).doesNotExist();
    try (Stream<Path> beside = Files.list(out)) {
      assertThat(beside).as("no staging left").isEmpty();
    }
    assertThatThrownBy(() -> ds.execute(spark).withRuntime(runtime).count())
        .isInstanceOf(UserFunctionException.class);
  }

  @Test
  void aFunctionThatCannotTravelIsNamedBeforeTheJobStarts() {
    // The lambda is serializable; what it captures is not.
    Object notSerializable = new Object();
    Dataset ds = read().map(row -> notSerializable.hashCode() == 0 ? row : row);

    assertThatThrownBy(() -> ds.execute(spark))
        .isInstanceOf(NotSerializableFunctionException.class)
        .hasMessageContaining("stage 'Map'")
        .hasMessageContaining("java.lang.Object")
        .satisfies(e -> assertThat(((NotSerializableFunctionException) e).stage())
            .isEqualTo("Map"));
  }

  @Test
  void aStageSparkCannotRunIsRefusedNamingIt() {
    assertThatThrownBy(() -> read().sort("id").execute(spark))
        .isInstanceOf(UnsupportedPlanException.class)
        .hasMessageContaining("Spark")
        .hasMessageContaining("Sort");
  }

  /** Rows as sorted lines of sorted key=value pairs (order across partitions is not kept). */
  private static List<String> rows(List<Map<String, Object>> rows) {
    List<String> lines = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      List<String> cells = new ArrayList<>();
      row.forEach((k, v) -> cells.add(k + "=" + (v instanceof Number n && !(v instanceof Double)
          ? Long.toString(n.longValue()) : String.valueOf(v))));
      cells.sort(null);
      lines.add(String.join(", ", cells));
    }
    lines.sort(null);
    return lines;
  }

  private static List<Map<String, Object>> duck(String query) throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
          row.put(meta.getColumnLabel(c), rs.getObject(c));
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
