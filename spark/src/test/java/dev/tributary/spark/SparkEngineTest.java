package dev.tributary.spark;

import static dev.tributary.expr.Expr.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Engine;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.UnsupportedPlanException;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.ColumnBatch;
import dev.tributary.operators.UserFunctionException;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.operators.exchange.SortKey;
import dev.tributary.operators.join.JoinType;
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
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
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
  @TempDir
  static Path dimsDir;
  private static Path dims;
  private static SparkSession session;
  private static Engine spark;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("spark-test")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path out;

  @BeforeAll
  static void start() throws Exception {
    // Arrow's codec factory looks up its codecs in jars (blocking I/O) when first used; a block's
    // retain() uses it: first used on a non-blocking thread, BlockHound fails the test that did.
    Class.forName("org.apache.arrow.vector.compression.CompressionCodec$Factory");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      for (int f = 0; f < FILES; f++) {
        st.execute("COPY (SELECT i AS id, 'k' || (i % 7) AS k, (i * 0.25)::DOUBLE AS x, "
            + "CASE WHEN i % 11 = 0 THEN NULL ELSE i % 100 END AS v FROM range("
            + f * ROWS_PER_FILE + ", " + (f + 1) * ROWS_PER_FILE + ") t(i)) TO '"
            + data.resolve("part-" + f + ".parquet") + "' (FORMAT parquet)");
      }
      // Values 20..119 of v: 0..19 have no name, 100..119 no row.
      dims = dimsDir.resolve("names.parquet");
      st.execute("COPY (SELECT i AS v, 'name' || i AS name FROM range(20, 120) t(i)) TO '"
          + dims + "' (FORMAT parquet)");
    }
    session = SparkSession.builder().master("local[2]").appName("tributary-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.default.parallelism", "3")
        // A read task per file, so that these tests see several (small files are packed
        // together by default: smallFilesArePackedIntoTasksAsSparkSqlPacksThem).
        .config("spark.sql.files.minPartitionNum", Integer.toString(FILES))
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
  void smallFilesArePackedIntoTasksAsSparkSqlPacksThem() throws Exception {
    Dataset ds = read().filter(col("id").mod(7).ne(0)).select("id", "v");
    List<TaskMemory> tasks = new CopyOnWriteArrayList<>();
    Engine reporting = SparkEngine.of(session).taskMemoryLimit(64 * Bytes.MiB)
        .onJobEnd(tasks::addAll);
    session.conf().unset("spark.sql.files.minPartitionNum");
    List<Map<String, Object>> onSpark;
    try {
      onSpark = ds.execute(reporting).withRuntime(runtime).takeAll();
    } finally {
      session.conf().set("spark.sql.files.minPartitionNum", Integer.toString(FILES));
    }

    // Each small file costs 4 MiB to open; 3 cores' shares take two files each.
    assertThat(tasks).as("two files per read task").hasSize(FILES / 2);
    assertThat(onSpark.stream().map(r -> ((Number) r.get("id")).longValue()).toList())
        .as("the files' rows in order, as locally").isSorted()
        .isEqualTo(ds.takeAll().stream().map(r -> ((Number) r.get("id")).longValue()).toList());
    assertThat(rows(onSpark)).isEqualTo(rows(duck("SELECT id, v FROM read_parquet('" + data
        + "/*.parquet') WHERE id % 7 <> 0")));
  }

  @Test
  void aGroupByOverOneWaveOfReadTasksIsCombinedWhereTheResultIsRead() throws Exception {
    Dataset ds = read().filter(col("v").gt(10)).groupBy("k")
        .aggregate(Aggregate.count(), Aggregate.sum("v"), Aggregate.max("x"));
    List<TaskMemory> tasks = new CopyOnWriteArrayList<>();
    Engine reporting = SparkEngine.of(session).taskMemoryLimit(64 * Bytes.MiB)
        .onJobEnd(tasks::addAll);
    session.conf().unset("spark.sql.files.minPartitionNum");
    List<String> onSpark;
    try {
      onSpark = rows(ds.execute(reporting).withRuntime(runtime).takeAll());
    } finally {
      session.conf().set("spark.sql.files.minPartitionNum", Integer.toString(FILES));
    }

    // Two read tasks (of two files each) for 3 cores: their rows per group come here, no shuffle.
    assertThat(tasks).as("the read tasks only").hasSize(FILES / 2);
    assertThat(onSpark).hasSize(7).isEqualTo(rows(ds.takeAll()));
    assertThat(onSpark).isEqualTo(rows(duck("SELECT k, count(*) AS \"count()\", "
        + "sum(v) AS \"sum(v)\", max(x) AS \"max(x)\" FROM read_parquet('" + data
        + "/*.parquet') WHERE v > 10 GROUP BY k")));
  }

  @Test
  void aGroupByAggregationShufflesArrowBlocksAndMatches() throws Exception {
    Dataset ds = read().filter(col("v").gt(10)).groupBy("k")
        .aggregate(Aggregate.count(), Aggregate.sum("v"), Aggregate.max("x"));
    List<TaskMemory> tasks = new CopyOnWriteArrayList<>();
    Engine reporting = SparkEngine.of(session).taskMemoryLimit(64 * Bytes.MiB)
        .onJobEnd(tasks::addAll);

    List<String> onSpark = rows(ds.execute(reporting).withRuntime(runtime).takeAll());

    // Four read tasks, more than the 3 cores: combined on the executors after a shuffle.
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
  void aStatefulBatchFunctionOnAPoolRunsOnTheExecutorsFromALambdaOrAClass() {
    MapBatchesOptions pool = MapBatchesOptions.defaults().withConcurrency(2);
    Dataset byLambda = read().select("id", "x").mapBatches(() -> new Shift(1_000), pool);
    Dataset byClass = read().select("id", "x").mapBatches(Shift.class, pool, 1_000);

    List<String> local = rows(byLambda.takeAll());

    assertThat(local).hasSize(FILES * ROWS_PER_FILE).isEqualTo(rows(byClass.takeAll()));
    assertThat(rows(byLambda.execute(spark).withRuntime(runtime).takeAll())).isEqualTo(local);
    assertThat(rows(byClass.execute(spark).withRuntime(runtime).takeAll())).isEqualTo(local);
  }

  @Test
  void aGlobalAggregateAfterExecuteIsComputedInTheTasksAndCombinedHere() {
    Dataset ds = read().filter(col("id").mod(3).ne(0));
    Aggregate[] combined = {Aggregate.count(), Aggregate.sum("v"), Aggregate.min("k"),
        Aggregate.max("x"), Aggregate.count("v").ignoreNulls(true), Aggregate.absMax("id")};
    Dataset onSpark = ds.execute(spark).withRuntime(runtime);

    Map<String, Object> got = onSpark.aggregate(combined);

    assertThat(got).isEqualTo(ds.aggregate(combined));
    assertThat(onSpark.stats().operator("Spark").rowsOut())
        .as("one row of partial results per read task came to the driver").isEqualTo(FILES);
    assertThat(onSpark.sum("v")).isEqualTo(ds.sum("v"));
    // A quantile has no combiner: the rows come and are aggregated here, with the same result.
    Aggregate[] mixed = {Aggregate.quantile("x", 0.5), Aggregate.count()};
    assertThat(onSpark.aggregate(mixed)).isEqualTo(ds.aggregate(mixed));
    assertThat(onSpark.stats().operator("Spark").rowsOut()).isEqualTo(6_666);
  }

  @Test
  void meansAndMomentsCombineThePartsStatesGloballyAndByGroup() {
    // Only the last two files have such rows: the first read tasks answer empty states.
    Dataset ds = read().filter(col("id").gt(6_000));
    Aggregate[] aggregates = {Aggregate.mean("v"), Aggregate.mean("x"), Aggregate.std("x"),
        Aggregate.var("v", 0), Aggregate.std("v").ignoreNulls(false).as("std_or_null"),
        Aggregate.sum("v").ignoreNulls(false).as("sum_or_null"),
        Aggregate.absMax("x").ignoreNulls(false), Aggregate.min("v").ignoreNulls(false)
            .as("min_or_null"), Aggregate.max("x").ignoreNulls(false),
        Aggregate.max("k").ignoreNulls(false), Aggregate.count()};
    Dataset onSpark = ds.execute(spark).withRuntime(runtime);

    Map<String, Object> local = ds.aggregate(aggregates);
    assertSameAggregates(onSpark.aggregate(aggregates), local);
    assertThat(onSpark.stats().operator("Spark").rowsOut())
        .as("one row of states per read task came to the driver").isEqualTo(FILES);
    assertThat(local.get("std_or_null")).as("v has nulls").isNull();
    assertThat(local.get("sum_or_null")).isNull();
    assertThat(local.get("min_or_null")).isNull();
    assertThat(local.get("max(k)")).isEqualTo("k6");

    List<Map<String, Object>> byKey = onSpark.groupBy("k").aggregate(aggregates).takeAll();
    Map<Object, Map<String, Object>> localByKey = new LinkedHashMap<>();
    ds.groupBy("k").aggregate(aggregates).takeAll().forEach(r -> localByKey.put(r.get("k"), r));
    assertThat(byKey).hasSize(7).allSatisfy(r -> assertSameAggregates(r,
        localByKey.get(r.get("k"))));
    List<Map<String, Object>> shuffled = ds.groupBy("k").aggregate(aggregates).execute(spark)
        .withRuntime(runtime).takeAll();
    assertThat(shuffled).hasSize(7).allSatisfy(r -> assertSameAggregates(r,
        localByKey.get(r.get("k"))));
  }

  /**
   * Equal, but for std and var within a relative 1e-12: the parts' moments merge by Chan's
   * formula where the local engine makes one Welford pass in row order, each rounding at about
   * the rows' count times the double epsilon (here ~4e-13). Integer means and the sums of these
   * quarter steps are exact either way.
   */
  private static void assertSameAggregates(Map<String, Object> got, Map<String, Object> local) {
    assertThat(got).containsOnlyKeys(local.keySet());
    local.forEach((name, value) -> {
      if ((name.startsWith("std") || name.startsWith("var")) && value != null) {
        assertThat((Double) got.get(name)).as(name)
            .isCloseTo((Double) value, org.assertj.core.data.Percentage.withPercentage(1e-10));
      } else {
        assertThat(got.get(name)).as(name).isEqualTo(value);
      }
    });
  }

  @Test
  void userFunctionsSeeTheirSparkTasksContext() {
    Dataset ds = read().select("id")
        .map(row -> {
          row.put("mapTask", partition());
          return row;
        })
        .mapBatches(() -> new TaskTag(), MapBatchesOptions.defaults().withConcurrency(2))
        .flatMap(row -> {
          Map<String, Object> out = new LinkedHashMap<>(row);
          out.put("flatTask", partition());
          return List.of(out);
        });

    List<Map<String, Object>> rows = ds.execute(spark).withRuntime(runtime).takeAll();

    assertThat(rows).hasSize(FILES * ROWS_PER_FILE).allSatisfy(row -> assertThat(
        List.of(row.get("poolTask"), row.get("flatTask"))).containsOnly(row.get("mapTask")));
    assertThat(rows.stream().map(row -> row.get("mapTask")).distinct().sorted().toList())
        .as("each read task's partition").containsExactly(0, 1, 2, 3);
  }

  /** The partition of the Spark task running the caller, or -1 outside one. */
  private static int partition() {
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    return task == null ? -1 : task.partitionId();
  }

  /** A stateful batch function adding the partition of its task as {@code poolTask}. */
  static final class TaskTag
      implements java.util.function.Function<ColumnBatch, Map<String, Object>> {
    @Override
    public Map<String, Object> apply(ColumnBatch batch) {
      int[] tags = new int[batch.rowCount()];
      java.util.Arrays.fill(tags, partition());
      Map<String, Object> out = new LinkedHashMap<>(batch);
      out.put("poolTask", tags);
      return out;
    }
  }

  /** A stateful batch function: x shifted by what it was made with. */
  public static final class Shift
      implements java.util.function.Function<ColumnBatch, Map<String, Object>> {
    private final double by;

    public Shift(Integer by) {
      this.by = by;
    }

    @Override
    public Map<String, Object> apply(ColumnBatch batch) {
      Double[] x = (Double[]) batch.get("x");
      double[] shifted = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        shifted[i] = x[i] + by;
      }
      Map<String, Object> out = new LinkedHashMap<>(batch);
      out.put("x", shifted);
      return out;
    }
  }

  @Test
  void theDatasetsContextTravelsInsideTheJob() {
    // Executors see neither this JVM's DataContext.current() nor its system properties.
    Dataset ds = read().select("id").map(row -> {
      if (((Number) row.get("id")).longValue() == 7_777) {
        throw new IllegalStateException("bad row 7777");
      }
      return row;
    }).withContext(DataContext.defaults().toBuilder().maxErroredBlocks(1).build());

    List<Map<String, Object>> onSpark = ds.execute(spark).withRuntime(runtime).takeAll();

    assertThat(onSpark).as("the block holding 7777 dropped, the job not failed")
        .hasSizeBetween(FILES * ROWS_PER_FILE - ROWS_PER_FILE, FILES * ROWS_PER_FILE - 1)
        .noneMatch(row -> ((Number) row.get("id")).longValue() == 7_777);
  }

  @Test
  void aLargeFileIsReadAsRowGroupSplitsOfAConfiguredSource() throws Exception {
    Path big = out.resolve("big.parquet");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("COPY (SELECT i AS id, i % 13 AS g, 'n' || i AS name FROM range(0, 40000) t(i))"
          + " TO '" + big + "' (FORMAT parquet, ROW_GROUP_SIZE 5000)");
    }
    int groups = ParquetSource.of(List.of(big.toString())).rowGroupBytes(0).length;
    List<TaskMemory> tasks = new CopyOnWriteArrayList<>();
    Engine splitting = SparkEngine.of(session).taskMemoryLimit(64 * Bytes.MiB).splitBytes(1)
        .onJobEnd(tasks::addAll);
    Dataset ds = Tributary.readParquet(ParquetSource.of(List.of(big.toString()))
            .columns(List.of("id", "g")).filter(FilterApi.lt(FilterApi.longColumn("id"), 30_000L))
            .parallelism(2))
        .withRuntime(runtime).filter(col("g").ne(0));

    List<String> onSpark = rows(ds.execute(splitting).withRuntime(runtime).takeAll());

    assertThat(groups).isGreaterThan(1);
    assertThat(tasks).as("one task per row group").hasSize(groups);
    assertThat(onSpark).isEqualTo(rows(ds.takeAll()));
    assertThat(onSpark).isEqualTo(rows(duck("SELECT id, g FROM read_parquet('" + big
        + "') WHERE id < 30000 AND g <> 0")));
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
    assertThatThrownBy(() -> read().randomShuffle(7).execute(spark))
        .isInstanceOf(UnsupportedPlanException.class)
        .hasMessageContaining("Spark")
        .hasMessageContaining("RandomShuffle");
  }

  @Test
  void w1BatchFunctionRowFilterAndWriteMatchTheLocalEngine() throws Exception {
    Path target = out.resolve("w1");
    Dataset ds = read().select("id", "x", "v").mapBatches(batch -> {
      Double[] x = (Double[]) batch.get("x"); // OPTIONAL in the file: boxed, nulls kept
      double[] z = new double[x.length];
      for (int i = 0; i < z.length; i++) {
        z[i] = x[i] * 2 - 1_000;
      }
      Map<String, Object> result = new LinkedHashMap<>(batch);
      result.put("z", z);
      return result;
    }, MapBatchesOptions.defaults().withConcurrency(2)).filter(row -> (Double) row.get("z") > 0);

    WriteSummary written = ds.execute(spark).writeParquet(target.toString());

    assertThat(written.rows()).isEqualTo(FILES * ROWS_PER_FILE - 2_001);
    assertThat(rows(duck("SELECT * FROM read_parquet('" + target + "/**/*.parquet')")))
        .isEqualTo(rows(ds.takeAll()));
  }

  @Test
  void w2FilteredScanThenASumMatchesTheLocalEngineAndDuckDb() throws Exception {
    Dataset ds = read().filter(col("v").lt(40)).select("x");

    Map<String, Object> onSpark = ds.execute(spark).withRuntime(runtime)
        .aggregate(Aggregate.sum("x"), Aggregate.count());

    assertThat(onSpark).isEqualTo(ds.aggregate(Aggregate.sum("x"), Aggregate.count()));
    Map<String, Object> duck = duck("SELECT sum(x) AS s, count(*) AS n FROM read_parquet('"
        + data + "/*.parquet') WHERE v < 40").get(0);
    assertThat(onSpark.get("sum(x)")).isEqualTo(duck.get("s"));
    assertThat(((Number) onSpark.get("count()")).longValue())
        .isEqualTo(((Number) duck.get("n")).longValue());
  }

  @Test
  void w3InflatingFlatMapAndW4IterBatchesMatchTheLocalEngine() {
    Dataset ds = read().select("id", "x").flatMap(row -> List.of(row, row, row, row));

    List<String> onSpark = rows(ds.execute(spark).withRuntime(runtime).takeAll());
    double fed = ds.execute(spark).withRuntime(runtime).iterBatches(1_000)
        .map(batch -> Stream.of((Double[]) batch.get("x")).mapToDouble(d -> d).sum())
        .reduce(0.0, Double::sum).block();

    assertThat(onSpark).hasSize(4 * FILES * ROWS_PER_FILE).isEqualTo(rows(ds.takeAll()));
    double x = 0;
    for (int i = 0; i < FILES * ROWS_PER_FILE; i++) {
      x += i * 0.25;
    }
    assertThat(fed).isEqualTo(4 * x);
  }

  @Test
  void aJoinShuffledOrBroadcastMatchesTheLocalEngineAndDuckDb() throws Exception {
    Dataset names = Tributary.readParquet(dims.toString()).withRuntime(runtime);
    for (JoinType how : List.of(JoinType.INNER, JoinType.LEFT_OUTER, JoinType.FULL_OUTER)) {
      Dataset ds = read().select("id", "v").join(names, List.of("v"), how);
      List<String> local = rows(ds.takeAll());

      List<TaskMemory> shuffleTasks = new CopyOnWriteArrayList<>();
      List<TaskMemory> broadcastTasks = new CopyOnWriteArrayList<>();
      List<String> shuffled = rows(ds.execute(SparkEngine.of(session).broadcastBytes(-1)
          .taskMemoryLimit(64 * Bytes.MiB).onJobEnd(shuffleTasks::addAll))
          .withRuntime(runtime).takeAll());
      List<String> broadcast = rows(ds.execute(SparkEngine.of(session)
          .taskMemoryLimit(64 * Bytes.MiB).onJobEnd(broadcastTasks::addAll))
          .withRuntime(runtime).takeAll());

      if (how == JoinType.FULL_OUTER) {
        assertThat(broadcastTasks).as("a full outer join is never broadcast").hasSize(8);
      } else {
        assertThat(broadcastTasks).as("the names read once, then joined in each left task")
            .hasSize(1 + FILES);
      }
      assertThat(shuffleTasks).as("both sides' reads, then 3 join partitions").hasSize(1 + FILES
          + 3).allSatisfy(t -> assertThat(t.peakBytes()).isLessThanOrEqualTo(t.limitBytes()));

      assertThat(shuffled).as(how.name()).isEqualTo(local).isEqualTo(broadcast);
      if (how == JoinType.INNER) {
        assertThat(shuffled).isEqualTo(rows(duck("SELECT v, id, name FROM read_parquet('"
            + data + "/*.parquet') l JOIN read_parquet('" + dims + "') r USING (v)")));
      } else {
        assertThat(shuffled).hasSizeGreaterThan(FILES * ROWS_PER_FILE / 2);
      }
    }
  }

  @Test
  void aSortCutsKeyRangesAndGivesTheRowsInTheLocalOrder() {
    Dataset ds = read().filter(col("id").mod(5).ne(0))
        .sort(SortKey.desc("v"), SortKey.asc("k"), SortKey.asc("id"));

    List<Map<String, Object>> local = ds.takeAll();
    List<Map<String, Object>> onSpark = ds.execute(spark).withRuntime(runtime).takeAll();

    assertThat(onSpark).hasSize(8_000).isEqualTo(local);
    assertThat(onSpark.get(0).get("v")).isEqualTo(99L);
    assertThat(onSpark.get(onSpark.size() - 1).get("v")).as("nulls last").isNull();
  }

  @Test
  void aStringSortCutsRangesInCodePointOrderAsDuckDbSorts() throws Exception {
    // Characters beyond the BMP (surrogate pairs in Java) sort after U+E000..U+FFFF by code
    // point, before them by UTF-16: the range bounds and the local sort must agree on one order.
    List<Long> duckOrder = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      for (int f = 0; f < 3; f++) {
        st.execute("COPY (SELECT i AS id, CASE i % 6 WHEN 0 THEN chr(57344) WHEN 1 THEN"
            + " chr(128512) WHEN 2 THEN 'a' || chr(128512) WHEN 3 THEN 'a' || chr(65533)"
            + " WHEN 4 THEN NULL ELSE 'z' END || (i % 13)::VARCHAR AS s FROM range("
            + f * 1000 + ", " + (f + 1) * 1000 + ") t(i)) TO '"
            + out.resolve("s-" + f + ".parquet") + "' (FORMAT parquet)");
      }
      try (ResultSet r = st.executeQuery("SELECT id FROM read_parquet('" + out
          + "/*.parquet') ORDER BY s ASC NULLS LAST, id")) {
        while (r.next()) {
          duckOrder.add(r.getLong(1));
        }
      }
    }
    Dataset ds = Tributary.readParquet(out.toString()).withRuntime(runtime)
        .sort(SortKey.asc("s"), SortKey.asc("id"));

    List<Map<String, Object>> local = ds.takeAll();
    List<Map<String, Object>> onSpark = ds.execute(spark).withRuntime(runtime).takeAll();

    assertThat(onSpark).hasSize(3_000).isEqualTo(local);
    assertThat(local.stream().map(row -> ((Number) row.get("id")).longValue()).toList())
        .isEqualTo(duckOrder);
  }

  @Test
  void aSortedResultReadOnlyInPartDropsTheSortsCachedInput() throws Exception {
    Dataset sorted = read().sort("v", "id").execute(spark).withRuntime(runtime);

    assertThat(sorted.limit(3).takeAll()).extracting(row -> row.get("id"))
        .as("v = 0: id 0 has a null v (a multiple of 11)").containsExactly(100L, 200L, 300L);

    // The reader's cancel may reach the job after takeAll returned: poll with a deadline.
    JavaSparkContext context = JavaSparkContext.fromSparkContext(session.sparkContext());
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (!context.getPersistentRDDs().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(context.getPersistentRDDs()).isEmpty();
  }

  @Test
  void aLimitKeepsTheFirstRowsInOrderAndAUnionConcatenates() {
    Dataset first = read().sort("x").limit(25);
    Dataset head = read().limit(10);
    Dataset both = read().filter(col("v").eq(3)).union(read().filter(col("v").eq(4)));

    assertThat(first.execute(spark).withRuntime(runtime).takeAll()).isEqualTo(first.takeAll());
    assertThat(head.execute(spark).withRuntime(runtime).takeAll()).isEqualTo(head.takeAll());
    assertThat(rows(both.execute(spark).withRuntime(runtime).takeAll()))
        .as("v 3 or 4: 200 rows, 18 of them with a null v").hasSize(182)
        .isEqualTo(rows(both.takeAll()));
  }

  @Test
  void filesWhoseTypesDifferAreReadInTheLocalSchemaOrRefusedAlike() throws Exception {
    Path a = out.resolve("a.parquet");
    Path b = out.resolve("b.parquet");
    Path c = out.resolve("c.parquet");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("COPY (SELECT i::INTEGER AS id, 's' || i AS s FROM range(0, 300) t(i)) TO '"
          + a + "' (FORMAT parquet)");
      st.execute("COPY (SELECT i::BIGINT AS id, i * 0.5 AS x FROM range(300, 500) t(i)) TO '"
          + b + "' (FORMAT parquet)");
      st.execute("COPY (SELECT 'c' || i AS id FROM range(0, 5) t(i)) TO '" + c
          + "' (FORMAT parquet)");
    }
    Dataset ds = Tributary.readParquet(a.toString(), b.toString()).withRuntime(runtime);
    List<Map<String, Object>> local = ds.takeAll();
    Dataset onSpark = ds.execute(spark).withRuntime(runtime);

    assertThat(onSpark.schema()).isEqualTo(ds.schema());
    assertThat(onSpark.takeAll()).as("int32 widened to int64, missing columns as nulls")
        .containsExactlyInAnyOrderElementsOf(local).hasSize(500)
        .allSatisfy(row -> assertThat(row.get("id")).isInstanceOf(Long.class))
        .anySatisfy(row -> assertThat(row).containsEntry("id", 7L).containsEntry("x", null))
        .anySatisfy(row -> assertThat(row).containsEntry("id", 307L).containsEntry("s", null));
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame =
        SparkEngine.of(session).toSpark(ds);
    assertThat(frame.schema().apply("id").dataType())
        .isEqualTo(org.apache.spark.sql.types.DataTypes.LongType);
    assertThat(frame.collectAsList()).extracting(row -> row.getLong(0))
        .containsExactlyInAnyOrderElementsOf(Stream.iterate(0L, i -> i + 1).limit(500).toList());

    Dataset mixed = Tributary.readParquet(a.toString(), c.toString()).withRuntime(runtime);
    Throwable locally = catchThrowable(mixed::takeAll);
    assertThat(locally).isInstanceOf(ColumnException.class).hasMessageContaining(c.toString());
    assertThatThrownBy(mixed::schema).as("known from the footers, before any row is read")
        .isInstanceOf(ColumnException.class).hasMessage(locally.getMessage());
    assertThatThrownBy(() -> mixed.execute(spark)).isInstanceOf(ColumnException.class)
        .hasMessage(locally.getMessage());
    assertThatThrownBy(() -> SparkEngine.of(session).toSpark(mixed))
        .isInstanceOf(ColumnException.class).hasMessage(locally.getMessage());
  }

  @Test
  void theTaskMemoryLimitIsTakenFromSparksSettings() {
    SparkConf conf = new SparkConf(false).set("spark.master", "local[4]")
        .set("spark.executor.memory", "2g");
    assertThat(SparkEngine.taskMemoryLimit(conf)).isEqualTo(512 * Bytes.MiB);
    conf.set("spark.memory.offHeap.enabled", "true").set("spark.memory.offHeap.size", "1g")
        .set("spark.master", "spark://127.0.0.1:7077").set("spark.executor.cores", "8")
        .set("spark.task.cpus", "2");
    assertThat(SparkEngine.taskMemoryLimit(conf)).isEqualTo(256 * Bytes.MiB);
    assertThat(SparkEngine.of(session).taskMemoryLimit()).as("local[2], 1g")
        .isEqualTo(512 * Bytes.MiB);
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
