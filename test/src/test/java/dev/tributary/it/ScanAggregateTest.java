package dev.tributary.it;

import static dev.tributary.expr.Expr.col;
import static dev.tributary.expr.Expr.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.CorruptInputException;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.expr.Expr;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.aggregate.Aggregate;
import java.io.RandomAccessFile;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
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
 * The fused scan aggregate (a global aggregation computed by the Parquet read from its pages)
 * gives what the aggregation over the read's rows gives: the same counts, minima, maxima,
 * integer sums and means exactly, floating sums within 1e-12 relative (added per row group,
 * then in reading order), with the fusion on and off, equal to DuckDB's COUNT, SUM, MIN, MAX and
 * AVG with the same WHERE; nulls and NaN skipped, an overflowing int64 sum failing the same way,
 * no rows giving null; a corrupt file fails typed, leaving no memory held. Files written by
 * DuckDB (v1 and v2 pages, dictionary and plain, several row groups) and by Tributary.
 */
class ScanAggregateTest {
  private static final int ROWS = 90_000;
  private static final DataContext FUSED = DataContext.defaults();
  private static final DataContext UNFUSED = DataContext.defaults().withOperatorFusion(false);
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("scan-aggregate")
      .memoryLimit(128 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /**
   * key 0..999 (null every 11th row), i32, i64 (nulls, negatives), d (nulls, -0.0, infinity in
   * no row), low (few distinct doubles: dictionary pages), nan (NaN every 9th row), f float.
   */
  private static final String TABLE = "SELECT i AS id,"
      + " CASE WHEN i % 11 = 0 THEN NULL ELSE CAST((i * 7919) % 1000 AS INTEGER) END AS key,"
      + " CAST(i % 50000 - 20000 AS INTEGER) AS i32,"
      + " CASE WHEN i % 13 = 0 THEN NULL ELSE CAST(i AS BIGINT) * -1000003 END AS i64,"
      + " CASE WHEN i % 7 = 0 THEN NULL WHEN i % 17 = 0 THEN -0.0 ELSE i / 3.0 END AS d,"
      + " CAST((i % 5) / 4.0 AS DOUBLE) AS low,"
      + " CASE WHEN i % 9 = 0 THEN 'NaN'::DOUBLE ELSE i / 8.0 END AS nan,"
      + " CAST((i % 300) / 8.0 AS FLOAT) AS f"
      + " FROM range(" + ROWS + ") t(i)";

  @Test
  void fusedAggregatesEqualUnfusedOnesAndDuckDbs() throws Exception {
    Path v1 = Files.createDirectories(dir.resolve("v1"));
    Path v2 = Files.createDirectories(dir.resolve("v2"));
    Path own = dir.resolve("own");
    duckDb("COPY (" + TABLE + ") TO '" + v1.resolve("a.parquet")
            + "' (FORMAT parquet, ROW_GROUP_SIZE 20000)",
        "COPY (" + TABLE + ") TO '" + v2.resolve("a.parquet")
            + "' (FORMAT parquet, ROW_GROUP_SIZE 20000, PARQUET_VERSION V2)");
    Tributary.readParquet(v1.toString()).withRuntime(runtime).writeParquet(ParquetSink.to(own));
    List<String> columns = List.of("i32", "i64", "d", "low", "f");
    for (Path files : List.of(v1, v2, own)) {
      for (Expr filter : new Expr[] {null, col("key").lt(lit(137)), col("key").lt(lit(1000)),
          col("key").lt(lit(-1)).or(col("key").gt(lit(5000))), col("i64").gt(lit(-50_000_000_000L)),
          col("i32").lt(lit(0))}) {
        String where = filter == null ? "" : " WHERE " + sql(filter);
        StringBuilder select = new StringBuilder("SELECT count(*)");
        List<Aggregate> aggregates = new ArrayList<>(List.of(Aggregate.count()));
        for (String c : columns) {
          select.append(", count(").append(c).append("), sum(").append(c).append("), min(")
              .append(c).append("), max(").append(c).append("), avg(").append(c).append(")");
          aggregates.addAll(List.of(Aggregate.count(c).ignoreNulls(true), Aggregate.sum(c),
              Aggregate.min(c), Aggregate.max(c), Aggregate.mean(c)));
        }
        List<Object> expected = duckDbRow(select + " FROM read_parquet('" + files
            + "/*.parquet')" + where);
        Dataset fusedRead = dataset(files, filter, FUSED);
        Map<String, Object> fused = fusedRead.aggregate(aggregates.toArray(Aggregate[]::new));
        Dataset unfusedRead = dataset(files, filter, UNFUSED);
        Map<String, Object> unfused = unfusedRead.aggregate(
            aggregates.toArray(Aggregate[]::new));
        // Fused, the read hands on one row of partial results instead of the rows it kept.
        assertThat(fusedRead.stats().operator("ReadParquet").rowsOut()).isEqualTo(1);
        assertThat(unfusedRead.stats().operator("ReadParquet").rowsOut())
            .isEqualTo(fused.get("count()"));
        String what = files.getFileName() + where;
        for (int i = 0; i < aggregates.size(); i++) {
          String name = aggregates.get(i).name();
          Object a = fused.get(name);
          Object b = unfused.get(name);
          Object duck = expected.get(i);
          if (duck == null || a == null) {
            assertThat(a).as("%s %s", what, name).isNull();
            assertThat(b).as("%s %s", what, name).isNull();
            assertThat(duck).as("%s %s", what, name).isNull();
          } else if (a instanceof Double x) {
            double y = (Double) b;
            double tolerance = 1e-12 * Math.max(1, Math.abs(y));
            assertThat(x).as("%s %s on and off", what, name).isCloseTo(y, within(tolerance));
            assertThat(x).as("%s %s vs DuckDB", what, name)
                .isCloseTo(((Number) duck).doubleValue(), within(tolerance));
          } else {
            assertThat(a).as("%s %s on and off", what, name).isEqualTo(b);
            assertThat(((Number) a).longValue()).as("%s %s vs DuckDB", what, name)
                .isEqualTo(((Number) duck).longValue());
          }
        }
      }
      // NaN counts as a null: skipped by both, where DuckDB would sum it.
      for (DataContext ctx : List.of(FUSED, UNFUSED)) {
        Map<String, Object> nan = dataset(files, col("key").lt(lit(500)), ctx).aggregate(
            Aggregate.sum("nan"), Aggregate.count("nan").ignoreNulls(true),
            Aggregate.max("nan"));
        List<Object> duck = duckDbRow("SELECT sum(nan), count(nan), max(nan) FROM read_parquet('"
            + files + "/*.parquet') WHERE key < 500 AND NOT isnan(nan)");
        assertThat((Double) nan.get("sum(nan)"))
            .isCloseTo(((Number) duck.get(0)).doubleValue(), within(1e-6));
        assertThat(nan.get("count(nan)")).isEqualTo(((Number) duck.get(1)).longValue());
        assertThat(nan.get("max(nan)")).isEqualTo(((Number) duck.get(2)).doubleValue());
      }
    }
  }

  @Test
  void anOverflowingIntegerSumFailsAsUnfusedAndNoRowsGiveNull() throws Exception {
    Path big = Files.createDirectories(dir.resolve("big"));
    duckDb("COPY (SELECT i AS key, 4611686018427387904::BIGINT AS v FROM range(10) t(i)) TO '"
        + big.resolve("a.parquet") + "' (FORMAT parquet)");
    for (DataContext ctx : List.of(FUSED, UNFUSED)) {
      Dataset all = dataset(big, null, ctx);
      assertThatThrownBy(() -> all.sum("v")).isInstanceOf(ColumnException.class)
          .hasMessageContaining("overflows");
      assertThat(all.max("v")).isEqualTo(4611686018427387904L);
      Dataset none = dataset(big, col("key").gt(lit(3)).and(col("key").lt(lit(4))), ctx);
      assertThat(none.sum("v")).isNull();
      assertThat(none.mean("v")).isNull();
      assertThat(none.aggregate(Aggregate.count()).get("count()")).isEqualTo(0L);
    }
  }

  @Test
  void aCorruptFileFailsTheFusedAggregateTypedHoldingNoMemory() throws Exception {
    Path files = Files.createDirectories(dir.resolve("bad"));
    Path file = files.resolve("a.parquet");
    duckDb("COPY (" + TABLE + ") TO '" + file + "' (FORMAT parquet, ROW_GROUP_SIZE 20000)");
    long at;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      at = reader.getFooter().getBlocks().get(2).getColumns().stream()
          .filter(c -> c.getPath().toDotString().equals("d")).findFirst().orElseThrow()
          .getStartingPos();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at); // the first page header of row group 2's column d
      raf.write(new byte[64]);
    }
    assertThatThrownBy(() -> dataset(files, col("key").lt(lit(500)), FUSED).sum("d"))
        .isInstanceOf(CorruptInputException.class).hasMessageContaining("a.parquet");
  }

  private Dataset dataset(Path files, Expr filter, DataContext ctx) {
    Dataset read = Tributary.readParquet(files.toString()).withContext(ctx).withRuntime(runtime);
    return filter == null ? read : read.filter(filter);
  }

  /** The filter as SQL: Tributary prints it so, {@code ((key < -1) or (key > 5000))}. */
  private static String sql(Expr filter) {
    return filter.toString();
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
