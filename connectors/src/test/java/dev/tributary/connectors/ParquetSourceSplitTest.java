package dev.tributary.connectors;

import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;

/**
 * What a distributed engine cuts a read into: {@link ParquetSource#rowGroups} reads a range of
 * each file's row groups with every other option applied within it, and a source travels by
 * Java serialization with its options, partition values and range.
 */
class ParquetSourceSplitTest extends ArenaTestSupport {
  private static final ReadSettings SETTINGS = ReadSettings.defaults(128 * Bytes.MiB);

  /** One file of 5 row groups of 1000 rows: ids 0..4999. */
  private ParquetSource fiveGroups() {
    Path file = RowGroupFiles.write(dir.resolve("five.parquet"), 0, 5, 1000);
    return ParquetSource.of(List.of(file.toString()));
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  private List<Long> ids(ParquetSource source, ReadStats stats) {
    List<Long> ids = new ArrayList<>();
    for (Map<String, Object> row : rowsOf(source.blocks(account, SETTINGS, stats))) {
      ids.add((Long) row.get("id"));
    }
    return ids;
  }

  @Test
  void aRowGroupRangeReadsOnlyItsGroupsAndCountsItsRows() {
    ParquetSource source = fiveGroups();
    ReadStats stats = new ReadStats();

    assertThat(ids(source.rowGroups(1, 3), stats)).isEqualTo(range(1000, 3000));
    assertThat(stats.fragmentsRead()).isEqualTo(2);
    assertThat(stats.fragmentsSkipped()).as("groups outside the range are not skipped ones")
        .isZero();
    assertThat(source.rowGroups(1, 3).rowCount()).isEqualTo(2000);
    assertThat(source.rowGroups(4, 9).rowCount()).as("past the end: what the file has")
        .isEqualTo(1000);
    assertThat(source.rowGroups(7, 9).rowCount()).isZero();
    assertThat(LongStream.of(source.rowGroupBytes(0)).boxed().toList()).hasSize(5)
        .allSatisfy(b -> assertThat(b).isPositive());
  }

  @Test
  void filtersLimitsAndProjectionsApplyWithinTheRange() {
    ParquetSource source = fiveGroups();
    ReadStats stats = new ReadStats();

    assertThat(ids(source.filter(lt(longColumn("id"), 1500L)).rowGroups(1, 3), stats))
        .isEqualTo(range(1000, 1500));
    assertThat(stats.fragmentsSkipped()).as("group 2 by its statistics").isEqualTo(1);
    assertThat(ids(source.rowGroups(2, 5).limit(1500), new ReadStats()))
        .isEqualTo(range(2000, 3500));
    assertThat(rowsOf(source.columns(List.of("x")).rowGroups(3, 4)
        .blocks(account, SETTINGS, new ReadStats())))
        .hasSize(1000).allSatisfy(row -> assertThat(row).containsOnlyKeys("x"));
    List<Long> halves = new ArrayList<>(ids(source.rowGroups(0, 2), new ReadStats()));
    halves.addAll(ids(source.rowGroups(2, Integer.MAX_VALUE), new ReadStats()));
    assertThat(halves).isEqualTo(range(0, 5000));
  }

  @Test
  void aBadRangeIsRefused() {
    ParquetSource source = fiveGroups();
    assertThatThrownBy(() -> source.rowGroups(-1, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[-1, 2)");
    assertThatThrownBy(() -> source.rowGroups(3, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 2)");
  }

  @Test
  void aSourceTravelsWithItsOptionsPartitionValuesAndRange() throws Exception {
    for (int p = 1; p <= 2; p++) {
      Path part = Files.createDirectories(dir.resolve("t/p=" + p));
      RowGroupFiles.write(part.resolve("f.parquet"), p * 10_000L, 3, 100);
    }
    ParquetSource source = ParquetSource.of(List.of(dir.resolve("t").toString()))
        .columns(List.of("id", "p")).filter(lt(longColumn("id"), 20_150L)).includePaths()
        .parallelism(2).split(1, 2).rowGroups(1, 3);

    ParquetSource travelled = (ParquetSource) copy(source);

    List<Map<String, Object>> rows = rowsOf(travelled.blocks(account, SETTINGS,
        new ReadStats()));
    assertThat(rows).isEqualTo(rowsOf(source.blocks(account, SETTINGS, new ReadStats())));
    assertThat(rows).hasSize(50).allSatisfy(row -> {
      assertThat(row).containsOnlyKeys("id", "p", "path");
      assertThat(row.get("p")).isEqualTo(2L);
      assertThat((Long) row.get("id")).isBetween(20_100L, 20_149L);
      assertThat(row.get("path").toString()).endsWith("p=2/f.parquet");
    });
    assertThat(travelled.schema()).isEqualTo(source.schema());
  }

  @Test
  void eachSplitReadsInTheWholeSourcesUnifiedSchemaAlsoAfterTravelling() throws Exception {
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    Path c = dir.resolve("c.parquet");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("COPY (SELECT i::INTEGER AS id, 'a' || i AS s FROM range(0, 3) t(i)) TO '" + a
          + "' (FORMAT parquet)");
      st.execute("COPY (SELECT i::BIGINT AS id, i * 0.5 AS x FROM range(3, 5) t(i)) TO '" + b
          + "' (FORMAT parquet)");
      st.execute("COPY (SELECT 'x' || i AS id FROM range(0, 2) t(i)) TO '" + c
          + "' (FORMAT parquet)");
    }
    ParquetSource whole = ParquetSource.of(List.of(a.toString(), b.toString()));
    List<Map<String, Object>> wholeRows = rowsOf(whole.blocks(account, SETTINGS,
        new ReadStats()));

    List<Map<String, Object>> splitRows = new ArrayList<>();
    for (int f = 0; f < 2; f++) {
      ParquetSource split = (ParquetSource) copy(whole.split(0, 2).split(f, f + 1));
      assertThat(split.schema()).isEqualTo(whole.schema());
      splitRows.addAll(rowsOf(split.blocks(account, SETTINGS, new ReadStats())));
    }

    assertThat(splitRows).isEqualTo(wholeRows).hasSize(5);
    assertThat(splitRows.get(0)).containsEntry("id", 0L).containsEntry("x", null);
    assertThat(splitRows.get(4)).containsEntry("id", 4L).containsEntry("s", null);
    assertThat(rowsOf(whole.columns(List.of("x")).split(0, 1)
        .blocks(account, SETTINGS, new ReadStats())))
        .as("a projected column the split's file lacks: nulls").hasSize(3)
        .allSatisfy(row -> assertThat(row).containsOnlyKeys("x").containsEntry("x", null));
    ParquetSource mixed = ParquetSource.of(List.of(a.toString(), c.toString()));
    assertThatThrownBy(() -> mixed.split(0, 1)).isInstanceOf(ColumnException.class)
        .hasMessageContaining("id").hasMessageContaining(c.toString());
  }

  @Test
  void aSourceOpeningFilesItsOwnWayCannotTravel() {
    ParquetSource source = fiveGroups().opener(LocalInputFile::new);
    assertThatThrownBy(() -> copy(source)).isInstanceOf(NotSerializableException.class)
        .hasMessageContaining("opener");
  }

  private static Object copy(Object o) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }
}
