package dev.tributary.bench.duckdb;

import dev.tributary.bench.kit.BenchSpec;
import dev.tributary.bench.kit.FeedBatches;
import dev.tributary.bench.kit.Harness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Collectors;

/**
 * The DuckDB system: W1 ({@code COPY (SELECT ...) TO ... (FORMAT PARQUET)}), W2 and W4 (a JDBC
 * result set gathered into column batches of 1024) in an in-process database with two threads,
 * on the same files and column projections as every other system.
 */
public final class DuckDbRunner {
  /** The system's name in the report. */
  public static final String SYSTEM = "duckdb";

  private DuckDbRunner() {}

  /**
   * Runs the workloads and writes the results file; with {@code -Dpeers.suite=alltoall}, only
   * W3g, W6, W7 and W8 at {@code memory_limit} = {@code -Dpeers.memoryMiB}.
   */
  public static void main(String[] args) throws Exception {
    BenchSpec spec = BenchSpec.fromSystemProperties();
    String files = list(spec.dataPaths());
    String variant = list(spec.variantPaths());
    boolean allToAll = "alltoall".equals(System.getProperty("peers.suite"));
    int limitMiB = allToAll ? Integer.getInteger("peers.memoryMiB") : 4096;
    Path temp = spec.workDir().resolve("spill-" + SYSTEM);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement()) {
      st.execute("SET threads = 2");
      st.execute("SET memory_limit = '" + limitMiB + "MiB'");
      st.execute("SET temp_directory = '" + temp + "'");
      String version;
      try (ResultSet r = st.executeQuery("SELECT version()")) {
        r.next();
        version = "DuckDB " + r.getString(1) + " (duckdb_jdbc)";
      }
      String settings = "in-process, threads 2, memory_limit " + BenchSpec.limitLabel(limitMiB);
      Harness h = new Harness(spec, SYSTEM, version);
      if (allToAll) {
        allToAll(spec, db, variant, limitMiB, temp, h, settings + ", temp_directory on disk");
        h.write(h.resultFile());
        return;
      }
      h.measure("W1", settings + ", COPY ... (FORMAT PARQUET, COMPRESSION SNAPPY)", spec.rows(),
          run -> {
            Path out = spec.outputDir(SYSTEM, "W1");
            Harness.deleteRecursively(out);
            Files.createDirectories(out);
            Path file = out.resolve("part-0.parquet");
            run.startClock();
            st.execute("COPY (SELECT id, key, x, y, tag, x * 2 + y AS z FROM read_parquet("
                + files + ") WHERE x * 2 + y > 0) TO '" + file
                + "' (FORMAT PARQUET, COMPRESSION SNAPPY)");
            run.stopClock();
            run.bytes(Harness.sizeOf(out));
            return count(st, "SELECT count(*) FROM read_parquet('" + file + "')");
          });
      for (String[] w : new String[][] {{"", files}, {"v", variant}}) {
        String on = w[0].isEmpty() ? settings : settings + ", DuckDB-written copy";
        if (!w[0].isEmpty()) {
          h.measure("W1v", on + ", COPY ... (FORMAT PARQUET, COMPRESSION SNAPPY)", spec.rows(),
              run -> {
                Path out = spec.outputDir(SYSTEM, "W1v");
                Harness.deleteRecursively(out);
                Files.createDirectories(out);
                Path file = out.resolve("part-0.parquet");
                run.startClock();
                st.execute("COPY (SELECT id, key, x, y, tag, x * 2 + y AS z FROM read_parquet("
                    + w[1] + ") WHERE x * 2 + y > 0) TO '" + file
                    + "' (FORMAT PARQUET, COMPRESSION SNAPPY)");
                run.stopClock();
                run.bytes(Harness.sizeOf(out));
                return count(st, "SELECT count(*) FROM read_parquet('" + file + "')");
              });
        }
        h.measure("W2" + w[0], on, spec.rows(), run -> {
          try (ResultSet r = st.executeQuery("SELECT sum(x) FROM read_parquet(" + w[1]
              + ") WHERE key < " + spec.keyThreshold())) {
            r.next();
            return r.getDouble(1);
          }
        });
        h.measure("W4" + w[0], on + ", JDBC result set, batches of "
            + BenchSpec.FEED_BATCH_ROWS, spec.rows(), run -> feed(st, w[1], spec));
      }
      h.write(h.resultFile());
    }
  }

  private static String list(java.util.List<String> paths) {
    return paths.stream().map(p -> "'" + p.replace("'", "''") + "'")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * Issue 12's W3g, W6, W7 and W8 (see TributaryRunner.allToAll for the workloads and checks)
   * at this connection's memory limit. Spilled bytes: the most that {@code
   * duckdb_temporary_files()} listed at once while the query ran, sampled every 10 ms from a
   * second connection. Each query has a statement of its own: DuckDB closes a statement whose
   * query failed (out of memory), and the next workload must still run.
   */
  private static void allToAll(BenchSpec spec, Connection db, String variant,
      int limitMiB, Path temp, Harness h, String settings) throws Exception {
    Files.createDirectories(temp);
    for (String[] w : new String[][] {{"W3g", "key"}, {"W6", "g"}}) {
      h.measure(BenchSpec.atLimit(w[0], limitMiB), settings + ", GROUP BY " + w[1], spec.rows(),
          run -> sampled(db, run, () -> value(db, "SELECT sum(s) + sum(c) + sum(m) + count(*)"
              + " FROM (SELECT " + w[1] + ", sum(x) AS s, count(*) AS c, max(x) AS m FROM"
              + " read_parquet(" + variant + ") GROUP BY " + w[1] + ")")));
    }
    h.measure(BenchSpec.atLimit("W7", limitMiB), settings + ", COPY (... ORDER BY x, id)"
        + " (FORMAT PARQUET, COMPRESSION SNAPPY)", spec.rows(), run -> {
          Path out = spec.outputDir(SYSTEM, "W7");
          Harness.deleteRecursively(out);
          Files.createDirectories(out);
          Path file = out.resolve("part-0.parquet");
          run.startClock();
          sampled(db, run, () -> {
            try (Statement st = db.createStatement()) {
              st.execute("COPY (SELECT " + String.join(", ", BenchSpec.SORT_COLUMNS)
                  + " FROM read_parquet(" + variant + ") ORDER BY x, id) TO '" + file
                  + "' (FORMAT PARQUET, COMPRESSION SNAPPY)");
            }
            return 0;
          });
          run.stopClock();
          run.bytes(Harness.sizeOf(out));
          return value(db, "SELECT count(*) FROM read_parquet('" + file + "')");
        });
    h.measure(BenchSpec.atLimit("W8", limitMiB), settings + ", JOIN dim USING (id)",
        spec.rows(), run -> sampled(db, run, () -> value(db, "SELECT sum(f.x * d.w) + count(*)"
            + " + count(DISTINCT f.key) FROM read_parquet(" + variant + ") f JOIN read_parquet('"
            + spec.dimFile() + "') d ON f.id = d.id")));
  }

  /** The one value of {@code sql}, on a statement of its own. */
  private static double value(Connection db, String sql) throws SQLException {
    try (Statement st = db.createStatement(); ResultSet r = st.executeQuery(sql)) {
      r.next();
      return r.getDouble(1);
    }
  }

  /** A query of an all-to-all workload. */
  @FunctionalInterface
  private interface Query {
    double run() throws Exception;
  }

  /** Runs {@code query} while a second connection samples the temporary files' size. */
  private static double sampled(Connection db, Harness.Run run, Query query) throws Exception {
    java.util.concurrent.atomic.AtomicLong most = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    Connection second = ((org.duckdb.DuckDBConnection) db).duplicate();
    Thread sampler = new Thread(() -> {
      try (Statement s = second.createStatement()) {
        while (!done.get()) {
          try (ResultSet r = s.executeQuery(
              "SELECT coalesce(sum(size), 0) FROM duckdb_temporary_files()")) {
            r.next();
            most.accumulateAndGet(r.getLong(1), Math::max);
          }
          Thread.sleep(10);
        }
      } catch (Exception e) {
        most.set(-1);
      }
    }, "duckdb-temp-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try {
      return query.run();
    } finally {
      done.set(true);
      sampler.join();
      second.close();
      run.spilledBytes(most.get());
    }
  }

  private static long count(Statement st, String sql) throws SQLException {
    try (ResultSet r = st.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Rows of the result set gathered into column batches of 1024 for the consumer. */
  private static double feed(Statement st, String files, BenchSpec spec) throws SQLException {
    FeedBatches batches = new FeedBatches(spec);
    try (ResultSet r = st.executeQuery("SELECT " + String.join(", ", BenchSpec.FEED_COLUMNS)
        + " FROM read_parquet(" + files + ")")) {
      while (r.next()) {
        batches.add(r.getLong(1), r.getInt(2), r.getDouble(3), r.getDouble(4));
      }
    }
    return batches.finish();
  }
}
