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

import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

/**
 * The pushdown API a plan uses: {@link ParquetSource#limit} reads only the row groups the first
 * rows need, filters given twice keep the rows both accept, and {@link ParquetFilter} keeps the
 * rows a filtered read keeps from blocks of any origin.
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
        for (long id : b.longs("id")) {
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
      try (b) {
        Block out = filter.keep(b, account);
        if (out != null && out != b) {
          try (out) {
            LongStream.of(out.longs("id")).forEach(kept::add);
          }
        } else if (out == b) {
          LongStream.of(b.longs("id")).forEach(kept::add);
        }
      }
    }).blockLast(Duration.ofSeconds(30));
    assertThat(kept).isEqualTo(ids(source.filter(p).blocks(account, SETTINGS,
        new ReadStats()))).containsExactly(1997L, 2001L);
  }

  @Test
  void aParquetFilterKeepingEveryRowReturnsItsInputAndNoneReturnsNull() {
    try (Block b = Block.builder(account).column("id", new long[] {1, 2, 3}).build()) {
      assertThat(ParquetFilter.of(gtEq(longColumn("id"), 0L)).keep(b, account)).isSameAs(b);
      assertThat(ParquetFilter.of(eq(longColumn("id"), 9L)).keep(b, account)).isNull();
    }
  }

  @Test
  void aParquetFilterIsCheckedAgainstASchemaNamingColumnAndType() {
    try (Block b = Block.builder(account).column("id", new long[] {1})
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
