package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.checkpoint.Checkpoint;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.WriteSummary;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint and resume across killed processes: a child JVM runs read → transform → checkpointed
 * Parquet write and is killed with SIGKILL ({@link Process#destroyForcibly()}) several times, at
 * seeded random numbers of commits; a last run completes. DuckDB then reads the output: every id
 * exactly once, and the same rows as an uninterrupted run of the same job.
 */
@Timeout(300)
class CheckpointKillTest {
  private static final int FILES = 6;
  private static final int ROWS_PER_FILE = 10_000;
  private static final long ROWS = (long) FILES * ROWS_PER_FILE;
  private static final long ROWS_PER_COMMIT = 2_000;

  @TempDir static Path dir;

  /** Input written by DuckDB: ids with a text column, in small row groups. */
  @BeforeAll
  static void writeInput() throws SQLException, IOException {
    Files.createDirectories(dir.resolve("in"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      for (int f = 0; f < FILES; f++) {
        s.execute("COPY (SELECT range AS id, md5(range::VARCHAR) AS tag FROM range("
            + f * ROWS_PER_FILE + ", " + (f + 1) * ROWS_PER_FILE + ")) TO '"
            + dir.resolve("in/f" + f + ".parquet") + "' (FORMAT parquet, ROW_GROUP_SIZE 1000)");
      }
    }
  }

  /**
   * The job the child JVM runs: {@code in out checkpoint}. A transform of one row per row,
   * slowed down (20 ms per 1,000 rows) so that a kill lands while it writes.
   */
  public static final class Job {
    private Job() {}

    /** Runs the job; exits 0 when the output is published. */
    public static void main(String[] args) {
      WriteSummary summary = Tributary.readParquet(args[0])
          .mapBatches(batch -> {
            long[] ids = batch.longs("id");
            String[] tags = batch.strings("tag");
            long[] score = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
              score[i] = ids[i] * 31 + tags[i].charAt(0);
            }
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return Map.of("id", ids, "tag", tags, "score", score);
          }, MapBatchesOptions.defaults().withBatchSize(1_000))
          .writeParquet(ParquetSink.to(Path.of(args[1])),
              Checkpoint.of("id", Path.of(args[2])).rowsPerCommit(ROWS_PER_COMMIT));
      System.out.println("published " + summary.rows() + " rows");
      System.exit(0);
    }
  }

  private static Process start(Path out, Path checkpoint, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The module and system flags of this JVM (add-opens for Arrow and Chronicle), no agents.
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-D")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
        Job.class.getName(), dir.resolve("in").toString(), out.toString(),
        checkpoint.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
  }

  private static int commits(Path checkpoint) throws IOException {
    Path parts = checkpoint.resolve("parts");
    if (!Files.isDirectory(parts)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(parts)) {
      return (int) s.filter(p -> p.getFileName().toString().endsWith(".ids")).count();
    }
  }

  private static void runToEnd(Path out, Path checkpoint, Path log) throws Exception {
    Process p = start(out, checkpoint, log);
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("the job ended").isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
  }

  @Test
  void aJobKilledSeveralTimesPublishesEveryIdOnceAndTheRowsOfAnUninterruptedRun()
      throws Exception {
    Path reference = dir.resolve("reference");
    runToEnd(reference, dir.resolve("reference-checkpoint"), dir.resolve("reference.log"));
    assertThat(dir.resolve("reference-checkpoint")).doesNotExist();

    Path out = dir.resolve("out");
    Path checkpoint = dir.resolve("checkpoint");
    Random random = new Random(16);
    int committed = 0;
    for (int kill = 0; kill < 3; kill++) {
      Path log = dir.resolve("killed-" + kill + ".log");
      Process p = start(out, checkpoint, log);
      int target = committed + 1 + random.nextInt(4);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (commits(checkpoint) < target && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(p.isAlive()).as("still writing when killed; log: %s", Files.readString(log))
          .isTrue();
      p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      int now = commits(checkpoint);
      assertThat(now).as("run %d committed segments", kill).isGreaterThanOrEqualTo(target);
      committed = now;
      assertThat(out).as("nothing is published before the end").doesNotExist();
    }
    assertThat(committed).isLessThan((int) (ROWS / ROWS_PER_COMMIT));
    runToEnd(out, checkpoint, dir.resolve("final.log"));
    assertThat(Files.readString(dir.resolve("final.log"))).contains("published " + ROWS + " rows");
    assertThat(checkpoint).doesNotExist();

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      String written = "read_parquet('" + out + "/**/*.parquet')";
      String uninterrupted = "read_parquet('" + reference + "/**/*.parquet')";
      assertThat(longs(s, "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM " + written))
          .containsExactly(ROWS, ROWS, 0L, ROWS - 1);
      assertThat(longs(s, "SELECT count(*) FROM (SELECT * FROM " + written + " EXCEPT ALL"
          + " SELECT * FROM " + uninterrupted + ")")).containsExactly(0L);
      assertThat(longs(s, "SELECT count(*) FROM (SELECT * FROM " + uninterrupted + " EXCEPT ALL"
          + " SELECT * FROM " + written + ")")).containsExactly(0L);
      assertThat(longs(s, "SELECT count(*) FROM " + written
          + " WHERE score <> id * 31 + ascii(tag[1])")).containsExactly(0L);
    }
  }

  private static List<Long> longs(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      List<Long> out = new ArrayList<>();
      for (int c = 1; c <= r.getMetaData().getColumnCount(); c++) {
        out.add(r.getLong(c));
      }
      return out;
    }
  }
}
