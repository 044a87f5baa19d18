package dev.tributary;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.binaryColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gt;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.intColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.apache.parquet.filter2.predicate.FilterApi.or;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.SourceReads;
import dev.tributary.operators.aggregate.Aggregate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimizer through the Dataset API over Parquet: projections, limits and filters reach the
 * read (bytes and row groups in the source's stats, and in {@code explain()}), and every plan
 * gives the rows the same plan gives with the optimizer off.
 */
class PushdownTest {
  /** What explain() says after a filter pushed into a Parquet read, to the end of the line. */
  private static final String WHERE = " (filter: files by partition values, row groups by"
      + " statistics, dictionaries and bloom filters, pages by column indexes, then rows)\n";
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("pushdown")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext ctx = DataContext.defaults();
  private final DataContext unoptimized = ctx.withOptimizer(false);

  @TempDir Path dir;

  /** Five files of one row group each: id 0..4999 (file k holds k*1000..), x = id / 2, s. */
  @BeforeEach
  void writeFiles() {
    Tributary.range(5000, 5).withContext(ctx).withRuntime(runtime)
        .withColumn("x", r -> (Long) r.get("id") / 2.0)
        .withColumn("s", r -> "s" + r.get("id"))
        .writeParquet(ParquetSink.to(dir).rowsPerFile(1000));
  }

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private Dataset parquet(DataContext context) {
    return Tributary.readParquet(dir.toString()).withContext(context).withRuntime(runtime);
  }

  private static SourceReads reads(Dataset ds) {
    return ds.stats().operator("ReadParquet").reads();
  }

  /**
   * Runs {@code plan} over the files with and without the optimizer; asserts the same rows and
   * returns the optimized run's dataset (its stats are that run's).
   */
  private Dataset sameRowsBothWays(UnaryOperator<Dataset> plan) {
    return sameRowsBothWays(dir, plan);
  }

  /** {@link #sameRowsBothWays(UnaryOperator)} over the Parquet files under {@code root}. */
  private Dataset sameRowsBothWays(Path root, UnaryOperator<Dataset> plan) {
    Dataset optimized = plan.apply(Tributary.readParquet(root.toString()).withContext(ctx).withRuntime(runtime));
    List<Map<String, Object>> rows = optimized.takeAll();
    assertThat(rows).isEqualTo(plan.apply(Tributary.readParquet(root.toString())
        .withContext(unoptimized).withRuntime(runtime)).takeAll());
    return optimized;
  }

  /** Hive partitions p=0, p=1, p=2 of 1000 rows each (id 0..2999, p = id / 1000, x). */
  private Path partitioned(Path root) {
    Tributary.range(3000, 3).withContext(ctx).withRuntime(runtime)
        .withColumn("x", r -> (Long) r.get("id") / 2.0)
        .withColumn("p", r -> (Long) r.get("id") / 1000)
        .writeParquet(ParquetSink.to(root).partitionBy("p"));
    return root;
  }

  @Test
  void aSelectAfterTheReadDecodesOnlyItsColumn() {
    Dataset whole = parquet(ctx);
    whole.takeAll();
    Dataset direct = Tributary.readParquet(ParquetSource.of(List.of(dir.toString()))
        .columns(List.of("x"))).withContext(ctx).withRuntime(runtime);
    direct.takeAll();

    Dataset selected = sameRowsBothWays(ds -> ds.select("x"));
    assertThat(reads(selected).bytesRead()).isLessThan(reads(whole).bytesRead())
        .isEqualTo(reads(direct).bytesRead());
    assertThat(selected.explain()).contains("ReadParquet[5 files]  pushed: columns=[x]");
    Dataset plain = parquet(unoptimized).select("x");
    plain.takeAll();
    assertThat(reads(plain).bytesRead()).isEqualTo(reads(whole).bytesRead());
    assertThat(plain.explain()).doesNotContain("pushed");
  }

  @Test
  void renamesAndDropsNarrowTheReadToTheColumnsTheyKeep() {
    Dataset ds = sameRowsBothWays(d -> d.rename("x", "half").drop("s").select("half"));
    assertThat(ds.explain()).contains("pushed: columns=[x]");
    assertThat(ds.takeAll().get(3)).isEqualTo(Map.of("half", 1.5));
  }

  @Test
  void aUserFunctionNeedsEveryColumnSoNothingIsNarrowedBelowIt() {
    Dataset ds = sameRowsBothWays(d -> d.filter(r -> (Long) r.get("id") % 2 == 0).select("x"));
    assertThat(ds.explain()).doesNotContain("pushed");
    Dataset selectedFirst = sameRowsBothWays(d -> d.select("id")
        .filter(r -> (Long) r.get("id") % 2 == 0));
    assertThat(selectedFirst.explain()).contains("pushed: columns=[id]");
  }

  @Test
  void aLimitReadsOnlyTheRowGroupsHoldingTheFirstRows() {
    Dataset ds = sameRowsBothWays(d -> d.limit(1500));
    assertThat(ds.takeAll()).extracting(r -> r.get("id"))
        .isEqualTo(LongStream.range(0, 1500).boxed().toList());
    assertThat(reads(ds).fragmentsRead()).isEqualTo(2);
    assertThat(ds.explain()).contains("pushed: limit=1500");

    Dataset taken = parquet(ctx).select("id");
    assertThat(taken.take(10)).hasSize(10);
    assertThat(reads(taken).fragmentsRead()).as("take(n) is a limit too").isEqualTo(1);
  }

  @Test
  void aWhereSkipsRowGroupsByTheirStatisticsAndFiltersRowsExactly() {
    FilterPredicate p = and(gtEq(longColumn("id"), 1500L), lt(longColumn("id"), 1700L));
    Dataset ds = sameRowsBothWays(d -> d.where(p));
    assertThat(ds.takeAll()).extracting(r -> r.get("id"))
        .isEqualTo(LongStream.range(1500, 1700).boxed().toList());
    assertThat(reads(ds).fragmentsRead()).isEqualTo(1);
    assertThat(reads(ds).fragmentsSkipped()).isEqualTo(4);
    assertThat(ds.explain()).contains("pushed: filter=" + p);

    Dataset rowFilter = parquet(unoptimized).where(p);
    assertThat(rowFilter.count()).isEqualTo(200);
    assertThat(reads(rowFilter).fragmentsRead()).isEqualTo(5);
    assertThat(reads(rowFilter).fragmentsSkipped()).isZero();
  }

  @Test
  void explainShowsColumnsFilterAndLimitPushedIntoTheReadAndTheFusedStages() {
    Dataset ds = sameRowsBothWays(d -> d
        .where(gt(longColumn("id"), 100L))
        .select("s", "x")
        .map(r -> Map.of("s", r.get("s"), "twice", (Double) r.get("x") * 2))
        .filter(r -> !r.get("s").equals("s102"))
        .limit(5));
    assertThat(ds.takeAll()).extracting(r -> r.get("s"))
        .containsExactly("s101", "s103", "s104", "s105", "s106");
    String explain = ds.explain();
    assertThat(explain).contains("Optimized logical plan:\n")
        .contains("ReadParquet[5 files]  pushed: columns=[x, s], filter=gt(id, 100)" + WHERE)
        .contains("Physical plan:\n"
            + "Read ReadParquet[5 files]  pushed: columns=[x, s], filter=gt(id, 100)" + WHERE
            + "MapBlocks Select[s, x]->Map->Filter  (fused 3 operators)\n"
            + "Limit[5]\n"
            + "Output\n");
    assertThat(ds.stats().operators()).extracting(OperatorSnapshot::name)
        .containsExactly("ReadParquet[5 files]", "Select[s, x]->Map->Filter", "Output");

    Dataset all = sameRowsBothWays(d -> d.where(gt(longColumn("id"), 100L)).select("x")
        .limit(5));
    assertThat(all.takeAll()).extracting(r -> r.get("x"))
        .containsExactly(50.5, 51.0, 51.5, 52.0, 52.5);
    assertThat(all.explain()).contains("Physical plan:\n"
        + "Read ReadParquet[5 files]  pushed: columns=[x], filter=gt(id, 100), limit=5" + WHERE
        + "Limit[5]\n"
        + "Output\n");
  }

  @Test
  void aWhereOverAnotherSourceRunsAsARowFilterWithParquetSemantics() {
    Dataset range = Tributary.range(100, 3).withContext(ctx).withRuntime(runtime).where(gt(longColumn("id"), 90L));
    assertThat(range.takeAll()).extracting(r -> r.get("id"))
        .isEqualTo(LongStream.range(91, 100).boxed().toList());
    assertThat(range.explain()).contains("MapBlocks Where[gt(id, 90)]");
    Dataset items = Tributary.fromItems(List.of(Map.of("s", "a"), Map.of("t", "b")))
        .withContext(ctx).withRuntime(runtime).where(eq(binaryColumn("s"), null));
    assertThat(items.takeAll()).as("a null matches eq(s, null)").hasSize(1);
  }

  @Test
  void aWhereOverAUnionGoesIntoTheParquetReadAndFiltersTheOtherInputsRows() {
    FilterPredicate p = lt(longColumn("id"), 3L);
    Dataset ds = sameRowsBothWays(d -> d.select("id")
        .union(Tributary.range(10, 2).withContext(d.context())).where(p));
    assertThat(ds.takeAll()).extracting(r -> r.get("id"))
        .containsExactly(0L, 1L, 2L, 0L, 1L, 2L);
    assertThat(reads(ds).fragmentsSkipped()).isEqualTo(4);
    assertThat(ds.explain()).contains("pushed: columns=[id], filter=" + p)
        .contains("MapBlocks Where[" + p + "]");
  }

  @Test
  void aWhereIsCheckedWhenThePlanIsBuilt() {
    assertThatThrownBy(() -> parquet(ctx).where(eq(intColumn("id"), 1)))
        .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column()).isEqualTo("id"))
        .hasMessageContaining("INT64");
    assertThatThrownBy(() -> Tributary.range(3).withContext(ctx).withRuntime(runtime)
        .withColumn("y", r -> 1L).where(eq(longColumn("nope"), 1L)))
        .isInstanceOfSatisfying(ColumnException.class,
            e -> assertThat(e.column()).isEqualTo("nope"))
        .hasMessageContaining("[id, y]");
    assertThat(parquet(ctx).where(eq(binaryColumn("s"), Binary.fromString("s7"))).count())
        .isEqualTo(1);
    Dataset unknownUntilRun = Tributary.fromItems(List.of(Map.of("s", "a"))).withContext(ctx).withRuntime(runtime)
        .where(eq(longColumn("s"), 1L));
    assertThatThrownBy(unknownUntilRun::takeAll).rootCause()
        .isInstanceOf(ColumnException.class).hasMessageContaining("BINARY");
  }

  @Test
  void thePathColumnOfAReadStaysWhenTheReadIsNarrowed() {
    Dataset ds = Tributary.readParquet(ParquetSource.of(List.of(dir.toString())).includePaths())
        .withContext(ctx).withRuntime(runtime).select("x", "path");
    List<Map<String, Object>> rows = ds.takeAll();
    assertThat(rows).hasSize(5000).allSatisfy(r -> assertThat(r).containsOnlyKeys("x", "path"));
    assertThat((String) rows.get(0).get("path")).endsWith(".parquet");
    assertThat(ds.explain()).contains("pushed: columns=[x, path]");
    assertThat(Tributary.readParquet(ParquetSource.of(List.of(dir.toString())).includePaths())
        .withContext(ctx).withRuntime(runtime).select("id").take(2)).containsExactly(Map.of("id", 0L), Map.of("id", 1L));
  }

  @Test
  void aSelectOfAPartitionColumnDecodesNoFileColumn(@TempDir Path out) {
    Path root = partitioned(out);
    Dataset ds = sameRowsBothWays(root, d -> d.select("p"));
    assertThat(ds.takeAll()).hasSize(3000).extracting(r -> r.get("p"))
        .containsOnly(0L, 1L, 2L);
    assertThat(ds.explain()).contains("ReadParquet[3 files]  pushed: columns=[p]");
    assertThat(reads(ds).bytesRead()).isZero();
    Dataset both = sameRowsBothWays(root, d -> d.select("p", "id").limit(1500));
    assertThat(both.takeAll()).extracting(r -> r.get("id"))
        .isEqualTo(LongStream.range(0, 1500).boxed().toList());
    assertThat(both.explain()).contains("pushed: columns=[id, p], limit=1500");
  }

  @Test
  void aWhereOnAPartitionColumnPrunesFilesAndALimitReadsOnlyTheKeptOnesRows(
      @TempDir Path out) {
    Path root = partitioned(out);
    FilterPredicate p = eq(longColumn("p"), 1L);
    Dataset ds = sameRowsBothWays(root, d -> d.where(p).limit(10));
    assertThat(ds.takeAll()).extracting(r -> r.get("id"))
        .isEqualTo(LongStream.range(1000, 1010).boxed().toList());
    assertThat(ds.explain()).contains("pushed: filter=" + p + ", limit=10");
    assertThat(reads(ds).fragmentsRead()).isEqualTo(1);
    Dataset conjoined = sameRowsBothWays(root, d -> d.where(gtEq(longColumn("id"), 1990L))
        .where(p).select("id").limit(20));
    assertThat(conjoined.takeAll()).extracting(r -> r.get("id"))
        .isEqualTo(LongStream.range(1990, 2000).boxed().toList());
    assertThat(reads(conjoined).fragmentsRead()).isEqualTo(1);
  }

  @Test
  void aWhereMixingPartitionAndFileColumnsInOneConjunctRunsAsARowFilter(@TempDir Path out) {
    Path root = partitioned(out);
    FilterPredicate p = or(eq(longColumn("p"), 2L), lt(longColumn("id"), 3L));
    Dataset ds = sameRowsBothWays(root, d -> d.where(p));
    assertThat(ds.takeAll()).hasSize(1003);
    assertThat(ds.explain()).doesNotContain("filter=").contains("MapBlocks Where[" + p + "]");
  }

  @Test
  void aWhereOnThePathColumnRunsAsARowFilter() {
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).includePaths();
    String first = source.files().get(0).toString();
    Dataset ds = Tributary.readParquet(source).withContext(ctx).withRuntime(runtime)
        .where(eq(binaryColumn("path"), Binary.fromString(first)));
    assertThat(ds.count()).isEqualTo(1000);
    assertThat(ds.explain()).doesNotContain("filter=");
  }

  @Test
  void aWriteIsAStageWithItsOwnStatsRow(@TempDir Path out) {
    Dataset ds = parquet(ctx).select("id").limit(1200);
    WriteSummary written = ds.writeParquet(out.toString());
    assertThat(written.rows()).isEqualTo(1200);
    assertThat(ds.stats().operators()).extracting(OperatorSnapshot::name)
        .containsExactly("ReadParquet[5 files]", "WriteParquet");
    assertThat(ds.stats().operator("WriteParquet").rowsOut()).isEqualTo(1200);
    assertThat(reads(ds).fragmentsRead()).isEqualTo(2);
    assertThat(Tributary.readParquet(out.toString()).withContext(ctx).withRuntime(runtime).takeAll())
        .isEqualTo(parquet(ctx).select("id").take(1200));
  }

  /**
   * A global aggregation of count, sum, min, max or mean straight over a Parquet read (filtered
   * or not) is computed by the read (explain says so); with fusion off, or with an aggregation
   * not made from value states (std), or over a limit, it is not; the values agree.
   */
  @Test
  void aGlobalAggregateOverAParquetReadIsPushedIntoTheRead() {
    List<Aggregate> aggregates = List.of(Aggregate.count(), Aggregate.sum("x"),
        Aggregate.max("id"), Aggregate.mean("x"));
    for (Dataset input : List.of(parquet(ctx), parquet(ctx).where(lt(longColumn("id"), 1500L)))) {
      Dataset fused = input.aggregated(List.of(), aggregates);
      assertThat(fused.explain()).contains("aggregates=[count(), sum(x), max(id), mean(x)]")
          .contains("aggregate pushed into the Parquet read")
          .contains("HashAggregate Aggregate[count(), sum(x), max(id), mean(x)]");
      Dataset unfused = input.withContext(ctx.withOperatorFusion(false))
          .aggregated(List.of(), aggregates);
      assertThat(unfused.explain()).doesNotContain("aggregates=");
      assertThat(fused.takeAll()).isEqualTo(unfused.takeAll());
    }
    assertThat(parquet(ctx).aggregated(List.of(), List.of(Aggregate.sum("x"),
        Aggregate.std("x"))).explain()).doesNotContain("aggregates=");
    assertThat(parquet(ctx).limit(10).aggregated(List.of(), List.of(Aggregate.sum("x")))
        .explain()).doesNotContain("aggregates=");
    assertThat(parquet(ctx).aggregate(Aggregate.count(), Aggregate.sum("id")))
        .isEqualTo(Map.of("count()", 5000L, "sum(id)", 4999L * 5000 / 2));
    // A count reads only the filter's column, where the rows read would have all of them.
    Dataset fusedCount = parquet(ctx).where(lt(longColumn("id"), 1500L));
    Dataset unfusedCount = parquet(ctx.withOperatorFusion(false))
        .where(lt(longColumn("id"), 1500L));
    assertThat(fusedCount.aggregate(Aggregate.count())).isEqualTo(Map.of("count()", 1500L));
    assertThat(unfusedCount.aggregate(Aggregate.count())).isEqualTo(Map.of("count()", 1500L));
    assertThat(reads(fusedCount).bytesRead()).isPositive()
        .isLessThan(reads(unfusedCount).bytesRead());
  }
}
