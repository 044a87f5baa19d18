package dev.tributary.it;

import static dev.tributary.expr.Expr.coalesce;
import static dev.tributary.expr.Expr.col;
import static dev.tributary.expr.Expr.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.expr.Expr;
import dev.tributary.expr.ExprType;
import dev.tributary.expr.ExpressionException;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every expression function against DuckDB's SQL for it, over one DuckDB-written Parquet file
 * (every column OPTIONAL, nulls in each): int32, float32, float64, utf8, date, timestamp with and
 * without zone, list and struct columns. Temporal results are compared as their epoch numbers
 * (days, microseconds), so no JDBC time conversion stands in between.
 */
class ExpressionsVsDuckDbTest {
  private static final int ROWS = 3000;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("expr-vs-duckdb")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path dir;
  private Path file;
  private Connection duck;

  @BeforeEach
  void writeFile() throws Exception {
    file = dir.resolve("t.parquet");
    duck = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = duck.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("COPY (SELECT i AS id,"
          + " CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 7919 % 2001) - 1000 END::BIGINT AS i,"
          + " CASE WHEN i % 13 = 1 THEN NULL ELSE i % 17 - 8 END::INTEGER AS i32,"
          + " CASE WHEN i % 7 = 2 THEN NULL ELSE [0.1, 0.2, 0.3, 1.5, -0.0, 2.5][i % 6 + 1]"
          + " END::REAL AS f,"
          + " CASE WHEN i % 9 = 3 THEN NULL ELSE ((i * 37 % 1000) - 500) / 10.0 END::DOUBLE AS x,"
          + " CASE WHEN i % 10 = 4 THEN NULL ELSE ['', 'a', 'abc', 'a,b', 'a,b,,c', 'Éa',"
          + " '日本語', 'x,y,z', 'Hello World', ','][i % 10 + 1] END AS s,"
          + " CASE WHEN i % 8 = 5 THEN NULL ELSE DATE '1900-01-01' + (i * 9973 % 80000)::INTEGER"
          + " END AS d,"
          + " CASE WHEN i % 12 = 6 THEN NULL ELSE TIMESTAMP '1950-01-01' + to_microseconds("
          + "i * 987654321987 % 3000000000000000) END AS ts,"
          + " CASE WHEN i % 14 = 7 THEN NULL ELSE TIMESTAMPTZ '1960-01-01 00:00:00+00'"
          + " + to_microseconds(i * 123456789123 % 3000000000000000) END AS tz,"
          + " CASE WHEN i % 15 = 8 THEN NULL WHEN i % 4 = 0 THEN []::BIGINT[]"
          + " WHEN i % 4 = 1 THEN [i] WHEN i % 4 = 2 THEN [i, i * 2] ELSE [i, NULL, i * 3]"
          + " END AS l,"
          + " CASE WHEN i % 16 = 9 THEN NULL ELSE {'a': i * 3, 'b': 'v' || i} END AS st"
          + " FROM range(" + ROWS + ") t(i)) TO '" + file + "' (FORMAT parquet)");
    }
  }

  @AfterEach
  void close() throws Exception {
    duck.close();
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private Dataset read() {
    return Tributary.readParquet(file.toString()).withRuntime(runtime);
  }

  /** The cases: an expression and DuckDB's SQL for the same value. */
  private static Map<Expr, String> cases() {
    Map<Expr, String> c = new LinkedHashMap<>();
    // Date and time parts, of a date, a timestamp and a zoned timestamp (UTC in the file).
    for (String t : List.of("d", "ts", "tz")) {
      c.put(col(t).year(), "year(" + t + ")");
      c.put(col(t).quarter(), "quarter(" + t + ")");
      c.put(col(t).month(), "month(" + t + ")");
      c.put(col(t).day(), "day(" + t + ")");
      c.put(col(t).hour(), "hour(" + t + ")");
      c.put(col(t).minute(), "minute(" + t + ")");
      c.put(col(t).second(), "second(" + t + ")");
      c.put(col(t).dayOfWeek(), "isodow(" + t + ")");
      c.put(col(t).dayOfYear(), "dayofyear(" + t + ")");
      for (String u : List.of("year", "quarter", "month", "week", "day", "hour", "minute",
          "second")) {
        c.put(col(t).dateTrunc(u).cast(ExprType.INT64), t.equals("d")
            ? "CAST(date_trunc('" + u + "', d) AS DATE) - DATE '1970-01-01'"
            : "epoch_us(date_trunc('" + u + "', " + t + "))");
      }
    }
    // Comparisons with date and timestamp literals.
    c.put(col("d").lt(LocalDate.of(1990, 6, 1)), "d < DATE '1990-06-01'");
    c.put(col("d").between(LocalDate.of(1950, 1, 1), LocalDate.of(1960, 12, 31)),
        "d BETWEEN DATE '1950-01-01' AND DATE '1960-12-31'");
    c.put(col("d").isIn(LocalDate.of(1900, 1, 1), LocalDate.of(1927, 4, 19)),
        "d IN (DATE '1900-01-01', DATE '1927-04-19')");
    c.put(col("ts").ge(LocalDateTime.of(2000, 1, 1, 12, 30)),
        "ts >= TIMESTAMP '2000-01-01 12:30:00'");
    c.put(col("d").ge(LocalDateTime.of(2000, 1, 1, 12, 30)),
        "d >= TIMESTAMP '2000-01-01 12:30:00'");
    c.put(col("tz").gt(Instant.parse("2020-01-01T00:00:00Z")),
        "tz > TIMESTAMPTZ '2020-01-01 00:00:00+00'");
    // Casts among numbers, strings and dates.
    c.put(col("i").cast(ExprType.UTF8), "CAST(i AS VARCHAR)");
    c.put(col("i32").cast(ExprType.FLOAT64), "CAST(i32 AS DOUBLE)");
    c.put(col("x").cast(ExprType.INT64), "CAST(trunc(x) AS BIGINT)");
    c.put(col("i").cast(ExprType.BOOLEAN), "CAST(i AS BOOLEAN)");
    c.put(col("d").cast(ExprType.UTF8), "CAST(d AS VARCHAR)");
    c.put(col("ts").cast(ExprType.UTF8), "CAST(ts AS VARCHAR)");
    c.put(col("ts").cast(ExprType.UTF8).cast(ExprType.TIMESTAMP).cast(ExprType.INT64),
        "epoch_us(CAST(CAST(ts AS VARCHAR) AS TIMESTAMP))");
    c.put(col("x").cast(ExprType.UTF8).cast(ExprType.FLOAT64),
        "CAST(CAST(x AS VARCHAR) AS DOUBLE)");
    c.put(col("d").cast(ExprType.UTF8).cast(ExprType.DATE).cast(ExprType.INT64),
        "CAST(CAST(d AS VARCHAR) AS DATE) - DATE '1970-01-01'");
    c.put(col("ts").cast(ExprType.DATE).cast(ExprType.INT64),
        "CAST(ts AS DATE) - DATE '1970-01-01'");
    c.put(col("d").cast(ExprType.TIMESTAMP).cast(ExprType.INT64),
        "epoch_us(CAST(d AS TIMESTAMP))");
    c.put(col("tz").cast(ExprType.TIMESTAMP).cast(ExprType.INT64),
        "epoch_us(CAST(tz AS TIMESTAMP))");
    // Math.
    c.put(col("x").round(), "round(x)");
    c.put(col("x").floor(), "floor(x)");
    c.put(col("x").ceil(), "ceil(x)");
    c.put(col("x").abs(), "abs(x)");
    c.put(col("x").pow(2), "pow(x, 2)");
    c.put(col("x").abs().plus(1).log(), "ln(abs(x) + 1)");
    c.put(col("x").div(10).exp(), "exp(x / 10)");
    c.put(col("x").abs().sqrt(), "sqrt(abs(x))");
    c.put(col("i").mod(7), "i % 7");
    c.put(col("i32").plus(col("i")), "i32 + i");
    c.put(col("i32").times(2).minus(1), "i32 * 2 - 1");
    // Strings.
    c.put(col("s").length(), "length(s)");
    c.put(col("s").upper(), "upper(s)");
    c.put(col("s").lower(), "lower(s)");
    c.put(col("s").substring(2, 3), "substring(s, 2, 3)");
    c.put(col("s").replace("a", "xy"), "replace(s, 'a', 'xy')");
    c.put(col("s").contains("b"), "contains(s, 'b')");
    c.put(col("s").startsWith("a"), "starts_with(s, 'a')");
    c.put(col("s").endsWith("c"), "ends_with(s, 'c')");
    c.put(col("s").split(",").size(), "len(string_split(s, ','))");
    c.put(col("s").split(",").element(0), "string_split(s, ',')[1]");
    c.put(col("s").split(",").element(-1), "string_split(s, ',')[-1]");
    c.put(col("s").split(",").element(2), "string_split(s, ',')[3]");
    // Lists and structs.
    c.put(col("l").size(), "len(l)");
    c.put(col("l").element(0), "l[1]");
    c.put(col("l").element(1), "l[2]");
    c.put(col("l").element(-1), "l[-1]");
    c.put(col("l").element(5), "l[6]");
    c.put(col("st").field("a"), "st.a");
    c.put(col("st").field("b"), "st.b");
    // Conditionals, sets, ranges, float32 comparisons.
    c.put(col("i").isIn(1L, -1000L, 999L, 5L), "i IN (1, -1000, 999, 5)");
    c.put(col("i").between(-10, 10), "i BETWEEN -10 AND 10");
    c.put(coalesce(col("i32"), col("i"), -1), "coalesce(i32, i, -1)");
    c.put(when(col("x").gt(0), "pos").when(col("x").lt(0), "neg").otherwise("zero"),
        "CASE WHEN x > 0 THEN 'pos' WHEN x < 0 THEN 'neg' ELSE 'zero' END");
    c.put(when(col("i32").gt(0), col("i32")).otherwiseNull(),
        "CASE WHEN i32 > 0 THEN i32 END");
    c.put(col("f").eq(0.1), "f = 0.1");
    c.put(col("f").between(0.1, 0.3), "f BETWEEN 0.1 AND 0.3");
    c.put(col("f").isIn(0.2, 2.5), "f IN (0.2, 2.5)");
    return c;
  }

  @Test
  void everyFunctionMatchesDuckDbOnTheSameFile() throws Exception {
    Map<Expr, String> cases = cases();
    Map<String, Expr> columns = new LinkedHashMap<>();
    StringBuilder sql = new StringBuilder("SELECT id");
    int k = 0;
    for (Map.Entry<Expr, String> c : cases.entrySet()) {
      columns.put("c" + k, c.getKey());
      sql.append(", ").append(c.getValue()).append(" AS c").append(k++);
    }
    sql.append(" FROM read_parquet('").append(file).append("') ORDER BY id");
    List<Expr> selected = new ArrayList<>(List.of(col("id")));
    columns.keySet().forEach(name -> selected.add(col(name)));
    List<Map<String, Object>> ours = new ArrayList<>(read().withColumns(columns)
        .select(selected.toArray(Expr[]::new)).takeAll());
    ours.sort(Comparator.comparing(r -> (Long) r.get("id")));
    assertThat(ours).hasSize(ROWS);
    List<String> mismatches = new ArrayList<>();
    try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
      int row = 0;
      while (rs.next()) {
        Map<String, Object> mine = ours.get(row++);
        int c = 0;
        for (Map.Entry<Expr, String> e : cases.entrySet()) {
          Object want = normal(rs.getObject(c + 2));
          Object got = normal(mine.get("c" + c++));
          if (!same(want, got) && mismatches.size() < 40) {
            mismatches.add(e.getKey() + " vs " + e.getValue() + " at id " + mine.get("id")
                + ": " + got + " vs DuckDB " + want);
          }
        }
      }
      assertThat(row).isEqualTo(ROWS);
    }
    assertThat(mismatches).isEmpty();
  }

  /**
   * Equal, doubles within one unit in the last place: Java's {@code Math.exp}, {@code log} and
   * {@code pow} may differ from the C library's by that much.
   */
  private static boolean same(Object want, Object got) {
    if (want instanceof Double a && got instanceof Double b && !a.equals(b)) {
      return Math.abs(a - b) <= Math.ulp(a);
    }
    return Objects.equals(want, got);
  }

  /** Integers as Long, other numbers as Double (-0.0 as 0.0), else the value itself. */
  private static Object normal(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof java.math.BigInteger) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float || v instanceof Double || v instanceof BigDecimal) {
      double d = ((Number) v).doubleValue();
      return d == 0 ? 0.0 : d;
    }
    return v;
  }

  @Test
  void typeErrorsNameTheExpressionAndTheColumnTypesWhenThePlanIsBuilt() {
    Dataset ds = read();
    assertThatThrownBy(() -> ds.withColumn("y", col("d").plus(1)))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("(d + 1)")
        .hasMessageContaining("[DATE, INT64]");
    assertThatThrownBy(() -> ds.filter(col("tz").lt(LocalDateTime.of(2020, 1, 1, 0, 0))))
        .isInstanceOf(ExpressionException.class)
        .hasMessageContaining("[TIMESTAMP_TZ, TIMESTAMP]");
    assertThatThrownBy(() -> ds.withColumn("y", col("s").year()))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("year(s)")
        .hasMessageContaining("takes a date or timestamp").hasMessageContaining("[UTF8]");
    assertThatThrownBy(() -> ds.withColumn("y", col("l").cast(ExprType.UTF8)))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("cannot cast LIST to UTF8");
    assertThatThrownBy(() -> ds.withColumn("y", col("st").field("c")))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("no field 'c'")
        .hasMessageContaining("[a, b]");
    assertThatThrownBy(() -> ds.withColumn("y", col("x").element(0)))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("takes a list")
        .hasMessageContaining("[FLOAT64]");
  }
}
