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

  /** Runs the workloads and writes the results file. */
  public static void main(String[] args) throws Exception {
    BenchSpec spec = BenchSpec.fromSystemProperties();
    String files = spec.dataPaths().stream().map(p -> "'" + p.replace("'", "''") + "'")
        .collect(Collectors.joining(", ", "[", "]"));
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement()) {
      st.execute("SET threads = 2");
      st.execute("SET memory_limit = '4GB'");
      String version;
      try (ResultSet r = st.executeQuery("SELECT version()")) {
        r.next();
        version = "DuckDB " + r.getString(1) + " (duckdb_jdbc)";
      }
      String settings = "in-process, threads 2, memory_limit 4GB";
      Harness h = new Harness(spec, SYSTEM, version);
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
      h.measure("W2", settings, spec.rows(), run -> {
        try (ResultSet r = st.executeQuery("SELECT sum(x) FROM read_parquet(" + files
            + ") WHERE key < " + spec.keyThreshold())) {
          r.next();
          return r.getDouble(1);
        }
      });
      h.measure("W4", settings + ", JDBC result set, batches of " + BenchSpec.FEED_BATCH_ROWS,
          spec.rows(), run -> feed(st, files, spec));
      h.write(h.resultFile());
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
