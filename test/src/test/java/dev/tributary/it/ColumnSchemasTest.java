package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.UserFunctionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schemas formed by plans reach files intact, checked with DuckDB as the independent reader
 * (issue 10): duplicate column names never reach a file (item 1), and a column null in every row
 * of the first blocks is written with the type later blocks give it (item 4).
 */
class ColumnSchemasTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("column-schemas")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** Every row DuckDB reads from {@code from} (a table function call), in {@code order}. */
  private static List<List<Object>> duckDb(String from, String order) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + from + " ORDER BY " + order)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /** DuckDB's column names and types of {@code from}, as "name TYPE". */
  private static List<String> duckDbTypes(String from) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + from)) {
      while (rs.next()) {
        out.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    return out;
  }

  private static String parquet(Path directory) {
    return "read_parquet('" + directory + "/*.parquet')";
  }

  private static List<Path> visibleFiles(Path directory) throws Exception {
    if (!Files.exists(directory)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(directory)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }
  }

  /** Rows as DuckDB returns them: the values of each row in column order. */
  private static List<List<Object>> values(List<Map<String, Object>> rows) {
    return rows.stream().map(r -> (List<Object>) new ArrayList<>(r.values())).toList();
  }

  @Test
  void aRepeatedColumnNameNeverReachesAParquetFile() throws Exception {
    Path out = dir.resolve("dup");
    // The plan: refused when built, so nothing can be written.
    assertThatThrownBy(() -> Tributary.range(10).withRuntime(runtime)
        .withColumn("x", r -> 100L).rename("id", "x"))
        .isInstanceOf(ColumnException.class).hasMessageContaining("rename(id -> x)");
    // The same clash known only by running fails the write, typed, and leaves no file.
    Dataset late = Tributary.range(10, 2).withRuntime(runtime)
        .map(r -> Map.of("id", r.get("id"), "x", 100L)).rename("id", "x");
    assertThatThrownBy(() -> late.writeParquet(out.toString()))
        .isInstanceOf(UserFunctionException.class).rootCause()
        .isInstanceOf(ColumnException.class).hasMessageContaining("rename(id -> x)");
    assertThat(visibleFiles(out)).isEmpty();
    // Renamed apart, the same data reads back in DuckDB as written.
    Dataset ok = Tributary.range(10).withRuntime(runtime)
        .withColumn("x", r -> 100L).rename("id", "key");
    ok.writeParquet(out.toString());
    assertThat(duckDbTypes(parquet(out))).containsExactly("key BIGINT", "x BIGINT");
    assertThat(duckDb(parquet(out), "key")).isEqualTo(values(ok.takeAll()));
  }

  /** 400 rows in 4 blocks; {@code score} is null in every row of the first two blocks. */
  private Dataset sparse() {
    return Tributary.range(400, 4).withRuntime(runtime).map(r -> {
      long id = (Long) r.get("id");
      Map<String, Object> row = new java.util.LinkedHashMap<>();
      row.put("id", id);
      row.put("score", id >= 250 && id % 3 != 0 ? id * 1.5 : null);
      return row;
    });
  }

  @Test
  void aFieldNullInTheFirstBlocksIsWrittenWithTheTypeLaterBlocksGiveIt() throws Exception {
    Dataset ds = sparse();
    List<List<Object>> expected = values(ds.takeAll());
    assertThat(expected.get(398)).containsExactly(398L, 597.0);
    ds.writeParquet(dir.resolve("parquet").toString());
    assertThat(visibleFiles(dir.resolve("parquet"))).hasSize(1);
    assertThat(duckDbTypes(parquet(dir.resolve("parquet"))))
        .containsExactly("id BIGINT", "score DOUBLE");
    assertThat(duckDb(parquet(dir.resolve("parquet")), "id")).isEqualTo(expected);
    assertThat(values(Tributary.readParquet(dir.resolve("parquet").toString())
        .withRuntime(runtime).takeAll())).isEqualTo(expected);
    ds.writeCsv(dir.resolve("csv").toString());
    assertThat(duckDb("read_csv('" + dir.resolve("csv") + "/*.csv')", "id")).isEqualTo(expected);
    ds.writeJson(dir.resolve("json").toString());
    assertThat(duckDb("read_json('" + dir.resolve("json") + "/*.json')", "id"))
        .isEqualTo(expected);
    ds.writeArrow(dir.resolve("arrow").toString());
    assertThat(values(Tributary.readArrow(dir.resolve("arrow").toString()).withRuntime(runtime)
        .takeAll())).isEqualTo(expected);
  }

  @Test
  void aColumnWithoutAnyValueIsWrittenAsNulls() throws Exception {
    Dataset ds = Tributary.range(10, 2).withRuntime(runtime).withColumn("nothing", r -> null);
    ds.writeParquet(dir.toString());
    assertThat(duckDbTypes(parquet(dir))).containsExactly("id BIGINT", "nothing \"NULL\"");
    assertThat(duckDb(parquet(dir), "id")).isEqualTo(values(ds.takeAll()));
    assertThat(Tributary.readParquet(dir.toString()).withRuntime(runtime).takeAll())
        .isEqualTo(ds.takeAll());
  }

  @Test
  void aTypeArrivingAfterTheHeldBlocksFillTheirShareStartsAFileOfThatType() throws Exception {
    // 10 blocks of 100,000 rows (800 KB each); score has values only in the last two, so the
    // sink holds blocks up to 1/16 of the 64 MiB limit, writes the rest with the null type, and
    // starts a second file when the type arrives.
    Dataset ds = Tributary.range(1_000_000, 10).withRuntime(runtime).mapBatches(b -> {
      long[] id = (long[]) b.get("id");
      Object[] score = new Object[id.length];
      for (int i = 0; i < id.length; i++) {
        score[i] = id[i] >= 800_000 && id[i] % 100 == 0 ? id[i] * 0.5 : null;
      }
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      out.put("id", id);
      out.put("score", score);
      return out;
    });
    ds.writeParquet(ParquetSink.to(dir));
    assertThat(visibleFiles(dir)).hasSize(2);
    String all = "read_parquet('" + dir + "/*.parquet', union_by_name = true)";
    assertThat(duckDbTypes(all)).containsExactly("id BIGINT", "score DOUBLE");
    List<List<Object>> scored = new ArrayList<>();
    for (long id = 800_000; id < 1_000_000; id += 100) {
      scored.add(Arrays.asList(id, id * 0.5));
    }
    assertThat(duckDb("(SELECT id, score FROM " + all + " WHERE score IS NOT NULL)", "id"))
        .isEqualTo(scored);
    assertThat(duckDb("(SELECT count(*) AS id, count(score) FROM " + all + ")", "id"))
        .containsExactly(Arrays.asList(1_000_000L, 2_000L));
  }
}
