package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories of Parquet files from other writers through the Dataset API, DuckDB writing the
 * inputs and reading what Tributary wrote: files that disagree are unified or refused when the
 * plan's schema is asked for, and maps write back as DuckDB reads them.
 */
class ParquetPeerFilesTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("parquet-peers-it")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private static List<List<Object>> duckDb(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      for (int i = 0; i < statements.length - 1; i++) {
        s.execute(statements[i]);
      }
      List<List<Object>> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery(statements[statements.length - 1])) {
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.add(rs.getObject(i));
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  @Test
  void aDirectoryOfDisagreeingFilesReadsUnifiedAndWritesWhatDuckDbReadsUnionedByName()
      throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    Path out = dir.resolve("out");
    duckDb("COPY (SELECT i::INTEGER AS id, 'a' || i AS s, MAP {'k': i::INTEGER} AS m"
            + " FROM range(0, 1000) t(i)) TO '" + in.resolve("a.parquet") + "' (FORMAT parquet)",
        "COPY (SELECT i AS id, i / 7 AS x FROM range(1000, 2500) t(i))"
            + " TO '" + in.resolve("b.parquet") + "' (FORMAT parquet)",
        "SELECT 1");
    Dataset ds = Tributary.readParquet(in.toString()).withRuntime(runtime);
    assertThat(ds.schema().getFields()).extracting(Field::toString).containsExactly(
        "id: Int(64, true)", "s: Utf8",
        "m: Map(false)<entries: Struct<key: Utf8 not null, value: Int(32, true)> not null>",
        "x: FloatingPoint(DOUBLE)");
    assertThat(ds.count()).isEqualTo(2500);
    ds.writeParquet(out.toString());

    String expected = "SELECT id, s, m::VARCHAR AS m, x FROM read_parquet('" + in
        + "/*.parquet', union_by_name = true)";
    String written = "SELECT id, s, m::VARCHAR AS m, x FROM read_parquet('" + out
        + "/*.parquet')";
    assertThat(duckDb("SELECT count(*) FROM (" + expected + " EXCEPT ALL " + written + ")"))
        .containsExactly(List.of(0L));
    assertThat(duckDb("SELECT count(*) FROM (" + written + " EXCEPT ALL " + expected + ")"))
        .containsExactly(List.of(0L));
    assertThat(duckDb("SELECT count(*), count(m), count(x) FROM (" + written + ")"))
        .containsExactly(List.of(2500L, 1000L, 1500L));
  }

  @Test
  void aDirectoryWhoseFilesDisagreeOnAColumnIsRefusedNamingBothFiles() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    duckDb("COPY (SELECT range AS id FROM range(10)) TO '" + in.resolve("a.parquet")
            + "' (FORMAT parquet)",
        "COPY (SELECT 'x' || range AS id FROM range(10)) TO '" + in.resolve("b.parquet")
            + "' (FORMAT parquet)",
        "SELECT 1");
    Dataset ds = Tributary.readParquet(in.toString()).withRuntime(runtime);
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call :
        List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(ds::schema,
            ds::takeAll)) {
      assertThatThrownBy(call).isInstanceOfSatisfying(ColumnException.class,
              e -> assertThat(e.column()).isEqualTo("id"))
          .hasMessageContaining("a.parquet").hasMessageContaining("b.parquet");
    }
  }
}
