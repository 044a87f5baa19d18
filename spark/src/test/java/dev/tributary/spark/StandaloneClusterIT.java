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
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
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
  private static final Duration READY = Duration.ofSeconds(90);

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
    Path home = Files.createDirectories(dir.resolve("spark-home/jars"));
    Path marker = dir.resolve("killed-task.pid");
    int masterPort = freePort();
    List<Process> started = new ArrayList<>();
    SparkSession session = null;
    try {
      started.add(launch(home.getParent(), "org.apache.spark.deploy.master.Master",
          "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port",
          Integer.toString(freePort())));
      await(() -> listening(masterPort), "the master");
      String master = "spark://127.0.0.1:" + masterPort;
      for (int w = 0; w < 2; w++) {
        started.add(launch(home.getParent(), "org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port",
            Integer.toString(freePort()), "--work-dir", dir.resolve("work-" + w).toString(),
            master));
      }
      session = SparkSession.builder().master(master).appName("tributary-standalone-it")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.ui.enabled", "false")
          .config("spark.executor.memory", "512m")
          .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
          .config("spark.task.maxFailures", "4")
          .getOrCreate();
      SparkSession running = session;
      await(() -> running.sparkContext().getExecutorMemoryStatus().size() >= 3, "two executors");

      String markerName = marker.toString(); // a Path is not serializable
      RowFunction stallOnce = row -> {
        // The first attempt to reach row 100 claims the marker and stalls until killed; the
        // retry finds it claimed. (Spark's TaskContext is not set on Tributary's threads, where
        // user functions run.)
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
        await(() -> {
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
    } finally {
      if (session != null) {
        session.stop();
      }
      for (Process p : started) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
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

  private Process launch(Path sparkHome, String main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Xmx512m"));
    command.addAll(List.of(System.getProperty("spark.jvm.flags", "").split(" ")));
    command.removeIf(String::isBlank);
    command.add(main);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(main.substring(main.lastIndexOf('.') + 1) + "-"
            + System.nanoTime() + ".log").toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.start();
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

  /** A condition checked until it holds or {@link #READY} passes (setup, not an assertion). */
  private static void await(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + READY.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @FunctionalInterface
  private interface Check {
    boolean holds() throws Exception;
  }
}
