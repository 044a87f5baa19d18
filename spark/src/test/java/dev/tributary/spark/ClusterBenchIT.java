package dev.tributary.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.Dataset;
import dev.tributary.Engine;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.expr.Expr;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.aggregate.Aggregate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's benchmark: W1 (read x, y; z = x * 2 + y; keep z > 0; write SNAPPY Parquet) and W3g
 * (group-by key: sum(x), count, max(x), the groups reduced to one checked row) on a standalone
 * cluster of two one-core Workers on 127.0.0.1, three ways in one run: Tributary on the cluster
 * ({@code execute(SparkEngine)}), the same in Spark SQL alone on the same cluster, and
 * Tributary's local engine in the driver. Runs alternate (a warm-up each, then {@code
 * -Dbench.runs}, default 3); the medians and ratios go to {@code target/cluster-bench.md}, with
 * what Spark ran for each call on the cluster ({@link JobTally}: jobs, stages, tasks, where
 * their time went; {@code -Dbench.workloads=W3g} runs one workload alone). Not
 * part of {@code mvn verify}: {@code spark/cluster-bench.sh} runs it. Results are checked equal
 * across the three (rows written, the group-by's checked row).
 */
class ClusterBenchIT {
  private static final int FILES = 4;
  private static final long ROWS = Long.getLong("bench.rows", 2_000_000);
  private static final int RUNS = Integer.getInteger("bench.runs", 3);
  /** The workloads run ({@code -Dbench.workloads=W3g}: one alone, e.g. to profile it). */
  private static final List<String> WORKLOADS = List.of(System.getProperty("bench.workloads",
      "W1,W3g").split(","));

  @TempDir
  Path dir;

  @Test
  void w1AndW3gOnTheClusterAgainstSparkSqlAndTheLocalEngine() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      long per = ROWS / FILES;
      for (int f = 0; f < FILES; f++) {
        // Whole-number x: every system's sums are exact, whatever their order.
        st.execute("COPY (SELECT i AS id, i % 1000 AS key, ((i * 7919) % 10007 - 5000)::DOUBLE"
            + " AS x, ((i * 104729) % 1009 - 500)::DOUBLE / 10 AS y, 't' || (i % 17) AS tag"
            + " FROM range(" + f * per + ", " + (f + 1) * per + ") t(i)) TO '"
            + data.resolve("part-" + f + ".parquet") + "' (FORMAT parquet, COMPRESSION snappy)");
      }
    }
    List<String> paths = List.of(data.toString());
    String setting = "standalone cluster on 127.0.0.1: 2 workers x 1 core, executor heap 768m,"
        + " Tributary task memory 256 MiB; " + ROWS + " rows in " + FILES + " SNAPPY files; "
        + RUNS + " runs after a warm-up, alternating; one 2-core machine shared by all";
    try (StandaloneCluster cluster = new StandaloneCluster(dir, 2, 1, "1500m");
        TributaryRuntime driver = TributaryRuntime.builder().name("bench-driver")
            .memoryLimit(512 * Bytes.MiB).build()) {
      SparkSession spark = cluster.session(SparkSession.builder().appName("tributary-bench")
          .config("spark.executor.memory", "768m")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.sql.parquet.compression.codec", "snappy"), 2);
      Engine engine = SparkEngine.of(spark).taskMemoryLimit(256 * Bytes.MiB).partitions(2);
      Map<String, Map<String, List<Double>>> seconds = new LinkedHashMap<>();
      Map<String, Object> checks = new LinkedHashMap<>();
      JobTally tally = JobTally.on(spark);
      Map<String, List<JobTally.Summary>> spent = new LinkedHashMap<>();

      Map<String, DoubleSupplier> w1 = new LinkedHashMap<>();
      w1.put("tributary-on-spark", () -> tallied(spark, tally, spent, "W1 tributary-on-spark",
          () -> check(checks, "W1 tributary-on-spark", etl(paths, driver).execute(engine)
              .writeParquet(sink(dir, "w1-ts")).rows())));
      w1.put("spark-sql", () -> {
        Path out = dir.resolve("w1-sql");
        double s = tallied(spark, tally, spent, "W1 spark-sql", () -> spark.read().parquet(data.toString()).select("x", "y")
            .withColumn("z", col("x").multiply(2).plus(col("y"))).filter(col("z").gt(0))
            .write().mode(SaveMode.Overwrite).option("compression", "snappy")
            .parquet(out.toString()));
        check(checks, "W1 spark-sql", spark.read().parquet(out.toString()).count()); // untimed
        return s;
      });
      w1.put("tributary-local", () -> timed(() -> check(checks, "W1 tributary-local",
          etl(paths, driver).writeParquet(sink(dir, "w1-local")).rows())));
      if (WORKLOADS.contains("W1")) {
        seconds.put("W1", measure(w1));
      }

      Map<String, DoubleSupplier> w3 = new LinkedHashMap<>();
      w3.put("tributary-on-spark", () -> tallied(spark, tally, spent, "W3g tributary-on-spark",
          () -> check(checks, "W3g tributary-on-spark", reduced(groups(paths, driver)
              .execute(engine).withRuntime(driver).takeAll()))));
      w3.put("spark-sql", () -> tallied(spark, tally, spent, "W3g spark-sql", () -> {
        Row r = spark.read().parquet(data.toString()).groupBy("key")
            .agg(sum("x").as("s"), count(lit(1)).as("c"), max("x").as("m"))
            .agg(sum("s"), sum("c"), sum("m"), count(lit(1))).first();
        check(checks, "W3g spark-sql", String.format(Locale.ROOT, "%.0f/%d/%.0f/%d",
            r.getDouble(0), r.getLong(1), r.getDouble(2), r.getLong(3)));
      }));
      w3.put("tributary-local", () -> timed(() -> check(checks, "W3g tributary-local",
          reduced(groups(paths, driver).takeAll()))));
      if (WORKLOADS.contains("W3g")) {
        seconds.put("W3g", measure(w3));
      }

      assertThat(seconds.keySet().stream().map(w -> checks.entrySet().stream()
          .filter(e -> e.getKey().startsWith(w + " ")).map(Map.Entry::getValue).distinct()
          .count())).as("the same result three ways: " + checks).containsOnly(1L);
      String report = report(setting, seconds, checks, spent);
      Files.writeString(Path.of("target", "cluster-bench.md"), report);
      System.out.println(report);
    }
  }

  private static Dataset etl(List<String> paths, TributaryRuntime runtime) {
    return Tributary.readParquet(ParquetSource.of(paths).columns(List.of("x", "y")))
        .withRuntime(runtime)
        .withColumn("z", Expr.col("x").times(2).plus(Expr.col("y")))
        .filter(Expr.col("z").gt(0));
  }

  private static Dataset groups(List<String> paths, TributaryRuntime runtime) {
    return Tributary.readParquet(paths.toArray(String[]::new)).withRuntime(runtime)
        .groupBy("key").aggregate(Aggregate.sum("x").as("s"), Aggregate.count().as("c"),
            Aggregate.max("x").as("m"));
  }

  private static ParquetSink sink(Path dir, String name) {
    Path out = dir.resolve(name);
    deleteRecursively(out);
    return ParquetSink.to(out).compression(CompressionCodecName.SNAPPY);
  }

  /** The groups reduced as the Spark SQL query reduces them: sums of s, c, m and the groups. */
  private static String reduced(List<Map<String, Object>> groups) {
    double s = 0;
    long c = 0;
    double m = 0;
    for (Map<String, Object> g : groups) {
      s += ((Number) g.get("s")).doubleValue();
      c += ((Number) g.get("c")).longValue();
      m += ((Number) g.get("m")).doubleValue();
    }
    return String.format(Locale.ROOT, "%.0f/%d/%.0f/%d", s, c, m, groups.size());
  }

  private static void check(Map<String, Object> checks, String what, Object value) {
    checks.put(what, value);
  }

  private static double timed(Runnable run) {
    long start = System.nanoTime();
    run.run();
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * {@link #timed} {@code run}, with what Spark ran for it added to {@code spent} under {@code
   * what}.
   */
  private static double tallied(SparkSession spark, JobTally tally,
      Map<String, List<JobTally.Summary>> spent, String what, Runnable run) {
    tally.reset();
    long start = System.currentTimeMillis();
    double s = timed(run);
    spent.computeIfAbsent(what, k -> new ArrayList<>())
        .add(tally.summary(spark, start, System.currentTimeMillis()));
    return s;
  }

  /** A warm-up of each system, then {@link #RUNS} rounds of each in turn. */
  private static Map<String, List<Double>> measure(Map<String, DoubleSupplier> systems) {
    systems.values().forEach(DoubleSupplier::getAsDouble);
    Map<String, List<Double>> out = new LinkedHashMap<>();
    for (int r = 0; r < RUNS; r++) {
      systems.forEach((name, run) -> out.computeIfAbsent(name, k -> new ArrayList<>())
          .add(run.getAsDouble()));
    }
    return out;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static String report(String setting, Map<String, Map<String, List<Double>>> seconds,
      Map<String, Object> checks, Map<String, List<JobTally.Summary>> spent) {
    StringBuilder md = new StringBuilder("# Tributary on a Spark cluster vs Spark SQL alone vs"
        + " the local engine\n\n" + setting + "\n\n| workload | system | median s | runs s |"
        + " Spark SQL s / this s |\n|---|---|---|---|---|\n");
    seconds.forEach((workload, bySystem) -> {
      double sql = median(bySystem.get("spark-sql"));
      bySystem.forEach((system, runs) -> md.append(String.format(Locale.ROOT,
          "| %s | %s | %.2f | %s | %.2fx |%n", workload, system, median(runs),
          runs.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList(),
          sql / median(runs))));
    });
    md.append("\nChecks (equal across systems): ").append(checks).append('\n');
    md.append("\nWhat Spark ran per call (the run of median wall time; before/jobs/after: ms from"
        + " the call's start to its first job, its jobs, from the last job's end to the call's"
        + " end; per stage: tasks, stage ms, then the tasks' sums):\n\n");
    spent.forEach((what, runs) -> {
      List<JobTally.Summary> measured = runs.subList(1, runs.size()); // not the warm-up
      JobTally.Summary mid = measured.stream().sorted(java.util.Comparator.comparingLong(
          r -> r.beforeMs() + r.jobsMs() + r.afterMs())).toList().get(measured.size() / 2);
      md.append(String.format(Locale.ROOT, "- %s: %d jobs, %d stages, %d tasks; before %d ms,"
          + " jobs %d ms, after %d ms; %s%n", what, mid.jobs(), mid.stages(), mid.tasks(),
          mid.beforeMs(), mid.jobsMs(), mid.afterMs(), mid.perStage()));
    });
    return md.toString();
  }

  private static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> all = Files.walk(path)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
