package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.operators.join.JoinType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Group-by and join results checked against DuckDB on Parquet files Tributary wrote: the same
 * SQL semantics for nulls (skipped by sum/min/max/avg, never matching in a join), at a large
 * memory limit and at a tiny one that makes both operators spill.
 */
class GroupByJoinPeerTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("peer-groupby")
      .memoryLimit(1 * Bytes.GiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** Seeded facts (k nullable int64, i nullable int32, x nullable float64) and dims (k, w). */
  private void writeTables() {
    Random r = new Random(42);
    int n = 40_000;
    Long[] k = new Long[n];
    Integer[] i = new Integer[n];
    Double[] x = new Double[n];
    for (int row = 0; row < n; row++) {
      k[row] = r.nextInt(50) == 0 ? null : (long) r.nextInt(20_000);
      i[row] = r.nextInt(10) == 0 ? null : r.nextInt(1_000_000);
      x[row] = r.nextInt(10) == 0 ? null : r.nextInt(100_000) / 8.0;
    }
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("k", k);
    facts.put("i", i);
    facts.put("x", x);
    Tributary.fromColumns(facts).withRuntime(runtime).writeParquet(dir.resolve("facts")
        .toString());
    int m = 5000;
    Long[] dk = new Long[m];
    Double[] w = new Double[m];
    for (int row = 0; row < m; row++) {
      dk[row] = r.nextInt(50) == 0 ? null : (long) r.nextInt(25_000);
      w[row] = r.nextInt(20) / 4.0;
    }
    Map<String, Object> dims = new LinkedHashMap<>();
    dims.put("k", dk);
    dims.put("w", w);
    Tributary.fromColumns(dims).withRuntime(runtime).writeParquet(dir.resolve("dims").toString());
  }

  private Dataset read(String table, long limit) {
    return Tributary.readParquet(dir.resolve(table).toString()).withRuntime(runtime)
        .withContext(DataContext.defaults().withMemoryLimit(limit)
            .withSpillDirectory(dir.resolve("spill")));
  }

  private String parquet(String table) {
    return "read_parquet('" + dir.resolve(table) + "/*.parquet')";
  }

  private static List<String> duckdb(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int col = 1; col <= meta.getColumnCount(); col++) {
          row.add(rs.getObject(col));
        }
        rows.add(row.toString());
      }
      return rows.stream().sorted().toList();
    }
  }

  private static List<String> rows(List<Map<String, Object>> rows, String... columns) {
    return rows.stream().map(m -> {
      List<Object> row = new ArrayList<>();
      for (String c : columns) {
        row.add(m.get(c));
      }
      return row.toString();
    }).sorted().toList();
  }

  @ParameterizedTest(name = "memory limit {0} MiB")
  @ValueSource(longs = {512, 2})
  void groupByMatchesDuckDb(long limitMiB) throws SQLException {
    writeTables();
    Dataset grouped = read("facts", limitMiB * Bytes.MiB).groupBy("k").aggregate(
        Aggregate.count(), Aggregate.count("i").ignoreNulls(true).as("n"), Aggregate.min("i"),
        Aggregate.max("i"), Aggregate.sum("i"), Aggregate.sum("x"));
    List<String> got = rows(grouped.takeAll(), "k", "count()", "n", "min(i)", "max(i)",
        "sum(i)", "sum(x)");
    // x values are multiples of 1/8 far below 2^53: sums are exact in any order.
    List<String> expected = duckdb("SELECT k, count(*), count(i), min(i)::BIGINT,"
        + " max(i)::BIGINT, sum(i)::BIGINT, sum(x) FROM " + parquet("facts") + " GROUP BY k");
    assertThat(got).isEqualTo(expected);
    if (limitMiB == 2) {
      assertThat(grouped.stats().operator("Aggregate").spills().spilledBytes()).isPositive();
      assertThat(grouped.stats().arenaPeakBytes()).isLessThanOrEqualTo(2 * Bytes.MiB);
    }
  }

  @ParameterizedTest(name = "memory limit {0} MiB")
  @ValueSource(longs = {512, 2})
  void joinsMatchDuckDb(long limitMiB) throws SQLException {
    writeTables();
    long limit = limitMiB * Bytes.MiB;
    List<String> inner = rows(read("facts", limit).join(read("dims", limit), List.of("k"),
        JoinType.INNER).takeAll(), "k", "i", "x", "w");
    assertThat(inner).isEqualTo(duckdb("SELECT f.k, f.i, f.x, d.w FROM " + parquet("facts")
        + " f JOIN " + parquet("dims") + " d ON f.k = d.k"));
    List<String> full = rows(read("facts", limit).join(read("dims", limit), List.of("k"),
        JoinType.FULL_OUTER).takeAll(), "k", "i", "x", "w");
    assertThat(full).isEqualTo(duckdb("SELECT coalesce(f.k, d.k), f.i, f.x, d.w FROM "
        + parquet("facts") + " f FULL OUTER JOIN " + parquet("dims") + " d ON f.k = d.k"));
    List<String> anti = rows(read("facts", limit).join(read("dims", limit), List.of("k"),
        JoinType.LEFT_ANTI).takeAll(), "k", "i", "x");
    assertThat(anti).isEqualTo(duckdb("SELECT k, i, x FROM " + parquet("facts")
        + " f ANTI JOIN " + parquet("dims") + " d USING (k)"));
  }
}
