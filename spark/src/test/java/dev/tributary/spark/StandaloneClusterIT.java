package dev.tributary.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.Dataset;
import dev.tributary.RowFunction;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.operators.exchange.SortKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone cluster on 127.0.0.1 (a Master and two Worker JVMs started from the test's
 * class path, a fake {@code SPARK_HOME}): a group-by with a shuffle runs while one executor is
 * killed in the middle of a task, and the result is still exact (Spark retries the task; the
 * exchange and the sink are Tributary's). Everything started is stopped in {@code finally}.
 * Run with {@code mvn -pl spark -am test -Pspark-cluster -Dtest=StandaloneClusterIT
 * -Dsurefire.failIfNoSpecifiedTests=false} (not part of {@code mvn verify}).
 */
class StandaloneClusterIT {
  @TempDir
  Path dir;

  @Test
  void aGroupByWithAShuffleSurvivesAKilledExecutorThenASortAndAJoinMatch() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      for (int f = 0; f < 4; f++) {
        st.execute("COPY (SELECT i AS id, 'k' || (i % 13) AS k, i % 97 AS v FROM range("
            + f * 50_000 + ", " + (f + 1) * 50_000 + ") t(i)) TO '"
            + data.resolve("part-" + f + ".parquet") + "' (FORMAT parquet)");
      }
    }
    Path marker = dir.resolve("killed-task.pid");
    try (StandaloneCluster cluster = new StandaloneCluster(dir, 2, 1, "1g")) {
      SparkSession session = cluster.session(SparkSession.builder()
          .appName("tributary-standalone-it")
          .config("spark.executor.memory", "512m")
          .config("spark.task.maxFailures", "4"), 2);

      String markerName = marker.toString(); // a Path is not serializable
      RowFunction stallOnce = row -> {
        // The first attempt to reach row 100 claims the marker and stalls until killed; the
        // retry finds it claimed.
        if (((Number) row.get("id")).longValue() == 100 && claim(markerName)) {
          sleepForever();
        }
        return row;
      };
      Dataset ds = Tributary.readParquet(data.toString()).map(stallOnce).groupBy("k")
          .aggregate(Aggregate.count(), Aggregate.sum("v"));
      SparkEngine engine = SparkEngine.of(session).taskMemoryLimit(64 * Bytes.MiB);

      try (TributaryRuntime runtime = TributaryRuntime.builder().name("driver")
          .memoryLimit(128 * Bytes.MiB).failOnLeak(true).build()) {
        CompletableFuture<List<Map<String, Object>>> result = CompletableFuture.supplyAsync(
            () -> ds.execute(engine).withRuntime(runtime).takeAll());
        StandaloneCluster.await(() -> {
          if (result.isDone()) {
            result.join(); // the job ended (failed) without stalling: report why
          }
          return Files.exists(marker) && !Files.readString(marker).isBlank();
        }, "the task to stall");
        long pid = Long.parseLong(Files.readString(marker).trim());
        ProcessHandle executor = ProcessHandle.of(pid).orElseThrow();
        executor.destroyForcibly();
        executor.onExit().get(30, TimeUnit.SECONDS);

        Map<String, String> byKey = new TreeMap<>();
        for (Map<String, Object> row : result.get(3, TimeUnit.MINUTES)) {
          byKey.put((String) row.get("k"), row.get("count()") + "/" + row.get("sum(v)"));
        }
        assertThat(byKey).isEqualTo(duckdb("SELECT k, count(*), sum(v) FROM read_parquet('"
            + data + "/*.parquet') GROUP BY k"));

        // A sort (sampled ranges) and a shuffled join across the executors, as locally.
        Dataset plain = Tributary.readParquet(data.toString()).withRuntime(runtime);
        Dataset sorted = plain.sort(SortKey.desc("v"), SortKey.asc("id"));
        assertThat(sorted.execute(engine).withRuntime(runtime).takeAll())
            .isEqualTo(sorted.takeAll());
        Dataset joined = plain.select("id", "k").join(plain.select("id", "v"), "id");
        assertThat(lines(joined.execute(engine.broadcastBytes(-1)).withRuntime(runtime)
            .takeAll())).hasSize(200_000).isEqualTo(lines(joined.takeAll()));
      }
    }
  }

  /** Rows as sorted lines (a join's order is not kept). */
  private static List<String> lines(List<Map<String, Object>> rows) {
    return rows.stream().map(row -> new TreeMap<>(row).toString()).sorted().toList();
  }

  /** Whether this process claimed {@code file} (created it, with its pid), once across all. */
  private static boolean claim(String file) {
    try {
      Path claimed = Files.createFile(Path.of(file + ".claim"));
      Files.writeString(Path.of(file), Long.toString(ProcessHandle.current().pid()));
      return claimed != null;
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void sleepForever() {
    while (true) {
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  private static Map<String, String> duckdb(String query) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(query)) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2) + "/" + rs.getLong(3));
      }
    }
    return out;
  }
}
