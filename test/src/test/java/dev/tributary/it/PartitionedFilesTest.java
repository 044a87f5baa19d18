package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.MissingInputException;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.TextSink;
import dev.tributary.connectors.WriteException;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files through the Dataset API: Hive-partitioned writes and reads (checked against DuckDB),
 * partition columns in the plan's schema, and paths or targets that cannot work refused when the
 * plan is built.
 */
class PartitionedFilesTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("partitioned-it")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** id, then year and region as partition columns would come back: last, year as int64. */
  private Dataset sales() {
    return Tributary.range(3000, 4).withRuntime(runtime)
        .withColumn("amount", r -> (Long) r.get("id") * 0.25)
        .withColumn("year", r -> 2020 + (Long) r.get("id") % 3)
        .withColumn("region", r -> (Long) r.get("id") % 7 == 0 ? null
            : (Long) r.get("id") % 2 == 0 ? "north/east" : "s\u00fcd");
  }

  private static List<Map<String, Object>> byId(List<Map<String, Object>> rows) {
    List<Map<String, Object>> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(r -> (Long) r.get("id")));
    return sorted;
  }

  @Test
  void aPartitionedWriteReadsBackEqualWithThePartitionColumnsInThePlansSchema()
      throws Exception {
    Path out = dir.resolve("sales");
    Dataset source = sales();
    source.writeParquet(ParquetSink.to(out).partitionBy("year", "region"));
    Dataset back = Tributary.readParquet(out.toString()).withRuntime(runtime);
    assertThat(back.schema().getFields()).extracting(Field::getName)
        .containsExactly("id", "amount", "year", "region");
    assertThat(back.stats()).as("the schema came from the plan: nothing ran").isNull();
    List<Map<String, Object>> expected = source.takeAll();
    assertThat(byId(back.takeAll())).isEqualTo(expected);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id, amount, year, region FROM read_parquet('" + out
            + "/**/*.parquet', hive_partitioning=true, hive_types={'year': BIGINT,"
            + " 'region': VARCHAR}) ORDER BY id")) {
      List<Map<String, Object>> duck = new ArrayList<>();
      while (r.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String col : List.of("id", "amount", "year", "region")) {
          row.put(col, r.getObject(col));
        }
        duck.add(row);
      }
      assertThat(duck).isEqualTo(expected);
    }
  }

  @Test
  void partitionedCsvReadsBackWithItsPartitionColumn() {
    Path out = dir.resolve("csv");
    Dataset source = sales().drop("region");
    source.writeText(TextSink.csv(out).partitionBy("year"));
    assertThat(byId(Tributary.readCsv(out.toString()).withRuntime(runtime).takeAll()))
        .isEqualTo(source.takeAll());
  }

  @Test
  void pathsThatNameNothingFailWhenThePlanIsBuilt() throws IOException {
    String missing = dir.resolve("missing").toString();
    assertThatThrownBy(() -> Tributary.readParquet(missing))
        .isInstanceOf(MissingInputException.class).hasMessageContaining(missing);
    assertThatThrownBy(() -> Tributary.readCsv(dir.resolve("*.csv").toString()))
        .isInstanceOf(MissingInputException.class).hasMessageContaining("*.csv");
    Files.createDirectory(dir.resolve("empty"));
    assertThatThrownBy(() -> Tributary.readJson(dir.resolve("empty").toString()))
        .isInstanceOf(MissingInputException.class).hasMessageContaining("empty");
  }

  @Test
  void writingOntoAnExistingFileIsRefusedBeforeAnythingIsWritten() throws IOException {
    Path file = Files.writeString(dir.resolve("report.parquet"), "not a directory");
    Dataset ds = Tributary.range(10).withRuntime(runtime);
    assertThatThrownBy(() -> ds.writeParquet(file.toString()))
        .isInstanceOf(WriteException.class).hasMessageContaining(file.toString());
    assertThatThrownBy(() -> ds.writeCsv(file.toString())).isInstanceOf(WriteException.class);
    assertThat(Files.readString(file)).isEqualTo("not a directory");
    assertThat(ds.stats()).as("nothing ran").isNull();
  }
}
