package dev.tributary.connectors;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.binaryColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.contains;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.in;
import static org.apache.parquet.filter2.predicate.FilterApi.intColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

/**
 * The pushdown API a plan uses: {@link ParquetSource#limit} reads only the row groups the first
 * rows need (of the files partition pruning kept), filters given twice keep the rows both accept
 * and prune partitions together, and {@link ParquetFilter} keeps the rows a filtered read keeps
 * from blocks of any origin.
 */
class ParquetLimitAndFilterTest extends ArenaTestSupport {
  private static final ReadSettings SETTINGS = ReadSettings.defaults(128 * Bytes.MiB);

  /** One file of 5 row groups of 1000 rows: ids 0..4999, s null on every fifth row. */
  private ParquetSource fiveGroups() {
    Path file = RowGroupFiles.write(dir.resolve("five.parquet"), 0, 5, 1000);
    return ParquetSource.of(List.of(file.toString()));
  }

  private List<Long> ids(Flux<Block> blocks) {
    List<Long> ids = new ArrayList<>();
    blocks.doOnNext(b -> {
      try (b) {
        for (long id : ColumnReader.longs(b, "id")) {
          ids.add(id);
        }
      }
    }).blockLast(Duration.ofSeconds(30));
    return ids;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aLimitReadsOnlyTheRowGroupsHoldingTheFirstRows(boolean preserveOrder) {
    ReadStats stats = new ReadStats();
    List<Long> got = ids(fiveGroups().limit(1500)
        .blocks(account, SETTINGS.withPreserveOrder(preserveOrder), stats));
    assertThat(got).containsExactlyInAnyOrderElementsOf(
        LongStream.range(0, 1500).boxed().toList());
    assertThat(stats.fragmentsRead()).isEqualTo(2);
    assertThat(stats.fragmentsSkipped()).isZero();
  }

  @Test
  void aLimitAnswersTheCountFromFootersAndTheSmallerOfTwoLimitsHolds() {
    ParquetSource source = fiveGroups();
    assertThat(source.limit(1500).rowCount()).isEqualTo(1500);
    assertThat(source.limit(9000).rowCount()).isEqualTo(5000);
    assertThat(source.limit(1500).limit(10).rowCount()).isEqualTo(10);
    assertThat(ids(source.limit(0).blocks(account, SETTINGS, new ReadStats()))).isEmpty();
    assertThatThrownBy(() -> source.limit(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows");
  }

  @Test
  void aLimitAfterAFilterStopsOnceTheRowsAreEmitted() {
    ReadStats stats = new ReadStats();
    List<Long> got = ids(fiveGroups().parallelism(1).filter(gtEq(longColumn("id"), 1990L))
        .limit(20).blocks(account, SETTINGS, stats));
    assertThat(got).isEqualTo(LongStream.range(1990, 2010).boxed().toList());
    assertThat(stats.fragmentsSkipped()).isEqualTo(1);
    assertThat(stats.fragmentsRead()).as("row groups 1 and 2; 3 and 4 never start")
        .isLessThanOrEqualTo(3);
  }

  @Test
  void aSecondFilterKeepsTheRowsBothAccept() {
    ReadStats stats = new ReadStats();
    List<Long> got = ids(fiveGroups().filter(gtEq(longColumn("id"), 2100L))
        .filter(lt(longColumn("id"), 2300L)).blocks(account, SETTINGS, stats));
    assertThat(got).isEqualTo(LongStream.range(2100, 2300).boxed().toList());
    assertThat(stats.fragmentsSkipped()).isEqualTo(4);
  }

  /**
   * Two Hive partitions of 3 row groups of 1000 rows: {@code p=0} holds ids 0..2999, {@code p=1}
   * ids 3000..5999; the files opened (footer or row group) are added to {@code opened}.
   */
  private ParquetSource twoPartitions(Set<Path> opened) throws IOException {
    Path root = dir.resolve("parts");
    for (int p = 0; p < 2; p++) {
      Path part = Files.createDirectories(root.resolve("p=" + p));
      RowGroupFiles.write(part.resolve("a.parquet"), p * 3000L, 3, 1000);
    }
    return ParquetSource.of(List.of(root.toString())).opener(file -> {
      opened.add(file.getParent().getFileName());
      return new LocalInputFile(file);
    });
  }

  @Test
  void aLimitUnderAPartitionOnlyFilterReadsOnlyTheKeptFilesFirstRowGroups() throws IOException {
    Set<Path> opened = ConcurrentHashMap.newKeySet();
    ReadStats stats = new ReadStats();
    List<Map<String, Object>> got = rowsOf(twoPartitions(opened)
        .filter(eq(longColumn("p"), 1L)).limit(1500).blocks(account, SETTINGS, stats));
    assertThat(got).extracting(r -> r.get("id"))
        .isEqualTo(LongStream.range(3000, 4500).boxed().toList());
    assertThat(got).extracting(r -> r.get("p")).containsOnly(1L);
    assertThat(stats.fragmentsRead()).as("the limit is met by row groups of p=1").isEqualTo(2);
    assertThat(opened).containsExactly(Path.of("p=1"));
  }

  @Test
  void conjoinedFiltersPruneByTheirPartitionConjunctsAndALimitCountsFilteredRows()
      throws IOException {
    Set<Path> opened = ConcurrentHashMap.newKeySet();
    ParquetSource source = twoPartitions(opened);
    List<Long> got = ids(source.parallelism(1)
        .filter(gtEq(longColumn("id"), 3990L)).filter(eq(longColumn("p"), 1L)).limit(20)
        .blocks(account, SETTINGS, new ReadStats()));
    assertThat(got).isEqualTo(LongStream.range(3990, 4010).boxed().toList());
    assertThat(opened).containsExactly(Path.of("p=1"));
    assertThat(ids(source.filter(eq(longColumn("p"), 0L))
        .filter(gtEq(longColumn("id"), 3000L)).limit(5)
        .blocks(account, SETTINGS, new ReadStats()))).isEmpty();
  }

  @Test
  void aLimitOnAPartitionColumnAloneReadsNoFileColumnAndOnlyTheFirstRowGroups()
      throws IOException {
    ReadStats stats = new ReadStats();
    ParquetSource source = twoPartitions(ConcurrentHashMap.newKeySet()).columns(List.of("p"))
        .limit(1500);
    assertThat(source.rowCount()).isEqualTo(1500);
    List<Map<String, Object>> got = rowsOf(source.blocks(account, SETTINGS, stats));
    assertThat(got).hasSize(1500).allSatisfy(r -> assertThat(r).isEqualTo(Map.of("p", 0L)));
    assertThat(stats.fragmentsRead()).isEqualTo(2);
    assertThat(stats.bytesRead()).as("no column chunk decoded").isZero();
  }

  @Test
  void aParquetFilterOverBlocksKeepsWhatAFilteredReadKeeps() {
    FilterPredicate p = and(gtEq(longColumn("id"), 1995L),
        in(binaryColumn("s"), Set.of(org.apache.parquet.io.api.Binary.fromString("s1997"),
            org.apache.parquet.io.api.Binary.fromString("s2001"))));
    ParquetFilter filter = ParquetFilter.of(p);
    assertThat(filter.columns()).containsExactlyInAnyOrder("id", "s");
    ParquetSource source = fiveGroups();
    List<Long> kept = new ArrayList<>();
    source.blocks(account, SETTINGS, new ReadStats()).doOnNext(b -> {
      Block out = filter.keep(b, account); // consumes b
      if (out != null) {
        try (out) {
          LongStream.of(ColumnReader.longs(out, "id")).forEach(kept::add);
        }
      }
    }).blockLast(Duration.ofSeconds(30));
    assertThat(kept).isEqualTo(ids(source.filter(p).blocks(account, SETTINGS,
        new ReadStats()))).containsExactly(1997L, 2001L);
  }

  @Test
  void aParquetFilterKeepingEveryRowReturnsItsInputAndNoneReturnsNull() {
    Block b = BlockBuilder.in(account).column("id", new long[] {1, 2, 3}).build();
    Block all = ParquetFilter.of(gtEq(longColumn("id"), 0L)).keep(b, account);
    assertThat(all).isSameAs(b);
    assertThat(ParquetFilter.of(eq(longColumn("id"), 9L)).keep(all, account)).isNull();
    assertThat(b.isClosed()).as("consumed").isTrue();
  }

  @Test
  void aParquetFilterIsCheckedAgainstASchemaNamingColumnAndType() {
    try (Block b = BlockBuilder.in(account).column("id", new long[] {1})
        .column("name", new String[] {"a"}).build()) {
      ParquetFilter.of(and(gtEq(longColumn("id"), 0L),
          eq(binaryColumn("name"), null))).check(b.schema(), "filter");
      assertThatThrownBy(() -> ParquetFilter.of(eq(longColumn("nope"), 1L))
          .check(b.schema(), "filter"))
          .isInstanceOfSatisfying(ColumnException.class,
              e -> assertThat(e.column()).isEqualTo("nope"))
          .hasMessageContaining("[id, name]");
      assertThatThrownBy(() -> ParquetFilter.of(eq(intColumn("id"), 1)).check(b.schema(),
          "filter"))
          .isInstanceOf(ColumnException.class).hasMessageContaining("INT64");
    }
    assertThatThrownBy(() -> ParquetFilter.of(contains(eq(longColumn("id"), 1L))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
