package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.exchange.SortKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sort results checked row by row against DuckDB's {@code ORDER BY} on a Parquet file Tributary
 * wrote: string keys sharing long prefixes (and characters beyond the BMP, where UTF-16 order
 * differs from code point order), doubles with NaN and infinities, nulls first and last, several
 * keys in both directions; at a large memory limit and at a tiny one that makes the sort spill.
 * The row id is the last key, so that DuckDB's order (not stable) is total.
 */
class SortPeerTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("peer-sort")
      .memoryLimit(1 * Bytes.GiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** Seeded rows: id, k nullable int32, x nullable float64, s nullable string. */
  private void writeTable() {
    Random r = new Random(12);
    String[] stems = {"", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefgh\u00e9",
        "abcdefgh\uffff", "abcdefgh\ud83d\ude00", "shared-prefix-of-many-rows-", "\u00e9t\u00e9",
        "\ud83d\ude00", "\uffff", "Z"};
    int n = 30_000;
    long[] id = new long[n];
    Integer[] k = new Integer[n];
    Double[] x = new Double[n];
    String[] s = new String[n];
    for (int row = 0; row < n; row++) {
      id[row] = row;
      k[row] = r.nextInt(12) == 0 ? null : r.nextInt(20) - 10;
      int pick = r.nextInt(14);
      x[row] = pick == 0 ? null : pick == 1 ? Double.NaN : pick == 2
          ? Double.POSITIVE_INFINITY : pick == 3 ? Double.NEGATIVE_INFINITY
          : r.nextInt(400) / 4.0 - 50;
      String stem = stems[r.nextInt(stems.length)];
      s[row] = r.nextInt(10) == 0 ? null : r.nextBoolean() ? stem : stem + r.nextInt(30);
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("id", id);
    columns.put("k", k);
    columns.put("x", x);
    columns.put("s", s);
    Tributary.fromColumns(columns).withRuntime(runtime).writeParquet(dir.resolve("t").toString());
  }

  private Dataset read(long limit) {
    return Tributary.readParquet(dir.resolve("t").toString()).withRuntime(runtime)
        .withContext(DataContext.defaults().withMemoryLimit(limit)
            .withSpillDirectory(dir.resolve("spill")));
  }

  private List<String> duckdb(String orderBy) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, k, x, s FROM read_parquet('"
            + dir.resolve("t") + "/*.parquet') ORDER BY " + orderBy)) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(row(rs.getObject(1), rs.getObject(2), rs.getObject(3), rs.getObject(4)));
      }
      return rows;
    }
  }

  private static String row(Object... values) {
    StringJoiner j = new StringJoiner(", ", "[", "]");
    for (Object v : values) {
      j.add(v == null ? "null" : v instanceof Number num && !(v instanceof Double)
          ? Long.toString(num.longValue()) : v.toString());
    }
    return j.toString();
  }

  private static List<String> rows(Dataset sorted) {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> m : sorted.takeAll()) {
      out.add(row(m.get("id"), m.get("k"), m.get("x"), m.get("s")));
    }
    return out;
  }

  @ParameterizedTest(name = "memory limit {0} MiB")
  @ValueSource(longs = {512, 2})
  void sortMatchesDuckDbOrderBy(long limitMiB) throws SQLException {
    writeTable();
    long limit = limitMiB * Bytes.MiB;
    Dataset byString = read(limit).sort(new SortKey("s", false, true),
        new SortKey("x", true, false), SortKey.asc("id"));
    assertThat(rows(byString))
        .isEqualTo(duckdb("s ASC NULLS LAST, x DESC NULLS FIRST, id"));
    assertThat(rows(read(limit).sort(new SortKey("s", true, false), SortKey.asc("k"),
        SortKey.asc("id"))))
        .isEqualTo(duckdb("s DESC NULLS FIRST, k ASC NULLS LAST, id"));
    assertThat(rows(read(limit).sort(new SortKey("k", false, false),
        new SortKey("x", false, true), new SortKey("s", true, true), SortKey.asc("id"))))
        .isEqualTo(duckdb("k NULLS FIRST, x NULLS LAST, s DESC NULLS LAST, id"));
    if (limitMiB == 2) {
      assertThat(byString.stats().operator("Sort").spills().bytesSpilled()).isPositive();
      assertThat(byString.stats().arenaPeakBytes()).isLessThanOrEqualTo(limit);
    }
  }
}
