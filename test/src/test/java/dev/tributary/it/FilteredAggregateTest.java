package dev.tributary.it;

import static dev.tributary.expr.Expr.col;
import static dev.tributary.expr.Expr.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.SourceReads;
import dev.tributary.operators.aggregate.Aggregate;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * W2 as users write it, {@code filter(col("key").lt(lit(k)))} then global aggregates, over
 * DuckDB-written files (OPTIONAL columns with nulls, several row groups) with unsorted and sorted
 * keys, and over a file Tributary wrote sorted by key (with column indexes): every answer equals
 * DuckDB's over the same file, with the page decoder on and off and the optimizer off; on the
 * sorted file the read skips pages by column index.
 */
class FilteredAggregateTest {
  private static final int ROWS = 120_000;
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("filtered-aggregate")
      .memoryLimit(128 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** key in 0..999 (null every 11th row), x = id / 4 (null every 13th row), s. */
  private static final String TABLE = "SELECT i AS id,"
      + " CASE WHEN i % 11 = 0 THEN NULL ELSE CAST((i * 7919) % 1000 AS INTEGER) END AS key,"
      + " CASE WHEN i % 13 = 0 THEN NULL ELSE CAST(i AS DOUBLE) / 4 END AS x, 's' || (i % 7) AS s"
      + " FROM range(" + ROWS + ") t(i)";

  @Test
  void aFilteredSumCountMinMaxEqualDuckDbOnUnsortedAndSortedKeys() throws Exception {
    Path unsorted = Files.createDirectories(dir.resolve("unsorted"));
    Path sorted = Files.createDirectories(dir.resolve("sorted"));
    duckDb("COPY (" + TABLE + ") TO '" + unsorted.resolve("a.parquet")
            + "' (FORMAT parquet, ROW_GROUP_SIZE 30000)",
        "COPY (" + TABLE + " ORDER BY key NULLS LAST, id) TO '" + sorted.resolve("a.parquet")
            + "' (FORMAT parquet, ROW_GROUP_SIZE 30000)");
    for (Path files : List.of(unsorted, sorted)) {
      for (int k : new int[] {0, 100, 500, 1000}) {
        List<Object> expected = duckDbRow("SELECT sum(x), count(*), min(x), max(x) FROM"
            + " read_parquet('" + files + "/*.parquet') WHERE key < " + k);
        for (DataContext ctx : List.of(DataContext.defaults(),
            DataContext.defaults().withVectorizedParquet(false),
            DataContext.defaults().withOptimizer(false))) {
          Dataset filtered = Tributary.readParquet(files.toString()).withContext(ctx)
              .withRuntime(runtime).filter(col("key").lt(lit(k)));
          Number sum = filtered.sum("x");
          assertThat(sum == null ? null : sum.doubleValue()).as("%s key < %d", files, k)
              .isEqualTo(expected.get(0) == null ? null : ((Number) expected.get(0)).doubleValue());
          Map<String, Object> all = filtered.aggregate(Aggregate.count(), Aggregate.min("x"),
              Aggregate.max("x"));
          assertThat(((Number) all.get("count()")).longValue())
              .isEqualTo(((Number) expected.get(1)).longValue());
          assertThat(all.get("min(x)")).isEqualTo(expected.get(2) == null ? null
              : ((Number) expected.get(2)).doubleValue());
          assertThat(all.get("max(x)")).isEqualTo(expected.get(3) == null ? null
              : ((Number) expected.get(3)).doubleValue());
        }
      }
    }
  }

  @Test
  void aSelectiveFilterOnASortedColumnSkipsPagesByColumnIndex() throws Exception {
    Path sorted = dir.resolve("tributary-sorted");
    duckDb("COPY (" + TABLE + " ORDER BY key NULLS LAST, id) TO '" + dir.resolve("in.parquet")
        + "' (FORMAT parquet)");
    // Written by Tributary (parquet-mr: column and offset indexes, pages of 20,000 rows at most).
    Tributary.readParquet(dir.resolve("in.parquet").toString()).withRuntime(runtime)
        .writeParquet(ParquetSink.to(sorted));
    Dataset filtered = Tributary.readParquet(sorted.toString()).withRuntime(runtime)
        .filter(col("key").lt(lit(100)));
    assertThat(filtered.explain()).contains("pushed: filter=lt(key, 100)");
    Number sum = filtered.sum("x");
    List<Object> expected = duckDbRow("SELECT sum(x) FROM read_parquet('" + sorted
        + "/*.parquet') WHERE key < 100");
    assertThat(sum.doubleValue()).isEqualTo(((Number) expected.get(0)).doubleValue());
    SourceReads reads = filtered.stats().operator("ReadParquet").reads();
    assertThat(reads.pagesSkipped()).as(reads.toString()).isPositive();
  }

  private static void duckDb(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private static List<Object> duckDbRow(String query) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(query)) {
      r.next();
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
        row.add(r.getObject(i));
      }
      return row;
    }
  }
}
