package dev.tributary;

import static dev.tributary.expr.Expr.col;
import static dev.tributary.expr.Expr.not;
import static dev.tributary.expr.Expr.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.connectors.ParquetSink;
import dev.tributary.expr.Expr;
import dev.tributary.expr.ExpressionException;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.SourceReads;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expressions in plans over Parquet: typed when the plan is built, filters pushed into the read
 * where they translate exactly (fewer bytes read, the same rows with the optimizer off, and the
 * same rows as a plain-Java filter), projections narrowed to the columns expressions use.
 */
class ExpressionPlanTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("expressions")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext ctx = DataContext.defaults();
  private final DataContext unoptimized = ctx.withOptimizer(false);

  @TempDir Path dir;

  /**
   * Five files of one row group each, sorted by id (0..4999); k = id except null where id % 7 ==
   * 3; s = "s" + id % 10 except null where id % 11 == 4; flag = id % 3 == 0 except null where id
   * % 13 == 5; x = id / 2.0.
   */
  @BeforeEach
  void writeFiles() {
    Tributary.range(5000, 5).withContext(ctx).withRuntime(runtime)
        .withColumn("k", r -> (Long) r.get("id") % 7 == 3 ? null : r.get("id"))
        .withColumn("s", r -> (Long) r.get("id") % 11 == 4 ? null : "s" + (Long) r.get("id") % 10)
        .withColumn("flag", r -> (Long) r.get("id") % 13 == 5 ? null : (Long) r.get("id") % 3 == 0)
        .withColumn("x", r -> (Long) r.get("id") / 2.0)
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

  private Dataset sameRowsBothWays(UnaryOperator<Dataset> plan) {
    Dataset optimized = plan.apply(parquet(ctx));
    List<Map<String, Object>> rows = optimized.takeAll();
    assertThat(rows).isEqualTo(plan.apply(parquet(unoptimized)).takeAll());
    return optimized;
  }

  private static Long k(Map<String, Object> r) {
    return (Long) r.get("k");
  }

  private static boolean is(Boolean b) {
    return Boolean.TRUE.equals(b);
  }

  static Stream<Arguments> filters() {
    return Stream.of(
        Arguments.of(col("k").lt(1500), (Predicate<Map<String, Object>>) r -> k(r) != null
            && k(r) < 1500),
        Arguments.of(not(col("k").lt(4000)), pred(r -> k(r) != null && k(r) >= 4000)),
        Arguments.of(col("k").ne(10), pred(r -> k(r) != null && k(r) != 10)),
        Arguments.of(not(col("k").eq(10)), pred(r -> k(r) != null && k(r) != 10)),
        Arguments.of(col("k").isNull(), pred(r -> k(r) == null)),
        Arguments.of(not(col("k").isNotNull().and(col("k").gt(20))),
            pred(r -> k(r) == null || k(r) <= 20)),
        Arguments.of(col("s").isIn("s1", "s2"), pred(r -> "s1".equals(r.get("s"))
            || "s2".equals(r.get("s")))),
        Arguments.of(not(col("s").isIn("s1", "s2")), pred(r -> r.get("s") != null
            && !"s1".equals(r.get("s")) && !"s2".equals(r.get("s")))),
        Arguments.of(col("flag"), pred(r -> is((Boolean) r.get("flag")))),
        Arguments.of(not(col("flag")).or(col("k").between(100, 120)), pred(r ->
            Boolean.FALSE.equals(r.get("flag")) || k(r) != null && k(r) >= 100 && k(r) <= 120)),
        Arguments.of(col("id").ge(4990).or(col("s").eq("s3").and(col("id").lt(40))), pred(r ->
            (Long) r.get("id") >= 4990 || "s3".equals(r.get("s")) && (Long) r.get("id") < 40)),
        Arguments.of(col("x").gt(2400.0).and(col("k").ne(4801)), pred(r ->
            (Double) r.get("x") > 2400.0 && k(r) != null && k(r) != 4801)),
        Arguments.of(lit1().lt(col("k")), pred(r -> k(r) != null && 1 < k(r))));
  }

  private static Expr lit1() {
    return Expr.lit(1);
  }

  private static Predicate<Map<String, Object>> pred(Predicate<Map<String, Object>> p) {
    return p;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("filters")
  void expressionFiltersKeepTheSameRowsPushedOrNotAsThePlainJavaFilter(Expr predicate,
      Predicate<Map<String, Object>> reference) {
    Dataset filtered = sameRowsBothWays(ds -> ds.filter(predicate));
    assertThat(filtered.takeAll()).isEqualTo(parquet(ctx).filter(reference::test).takeAll());
  }

  @Test
  void aSelectiveFilterIsPushedIntoTheReadAndReadsAboutAFifthOfTheBytes() {
    Dataset whole = parquet(ctx);
    whole.takeAll();
    Dataset filtered = sameRowsBothWays(ds -> ds.filter(col("id").lt(700)));
    assertThat(filtered.explain()).contains("pushed: filter=lt(id, 700)");
    assertThat(reads(filtered).bytesRead()).isPositive()
        .isLessThan(reads(whole).bytesRead() / 4);
    assertThat(filtered.count()).isEqualTo(700);
  }

  @Test
  void dateAndTimestampLiteralsArePushedIntoTheReadAndKeepTheSameRows(@TempDir Path dates) {
    LocalDate start = LocalDate.of(2020, 1, 1);
    Tributary.range(5000, 5).withContext(ctx).withRuntime(runtime)
        .withColumn("day", r -> (Long) r.get("id") % 9 == 2 ? null
            : start.plusDays((Long) r.get("id")))
        .withColumn("at", r -> start.atStartOfDay().plusMinutes((Long) r.get("id") * 7))
        .writeParquet(ParquetSink.to(dates).rowsPerFile(1000));
    Function<DataContext, Dataset> read = c -> Tributary.readParquet(dates.toString())
        .withContext(c).withRuntime(runtime);
    Dataset whole = read.apply(ctx);
    whole.takeAll();
    LocalDate cut = start.plusDays(700);
    Dataset byDay = read.apply(ctx).filter(col("day").lt(cut));
    assertThat(byDay.explain()).contains("pushed: filter=lt(day, " + cut.toEpochDay() + ")");
    List<Map<String, Object>> rows = byDay.takeAll();
    assertThat(rows).isEqualTo(read.apply(unoptimized).filter(col("day").lt(cut)).takeAll());
    assertThat(rows).extracting(r -> (Long) r.get("id")).containsExactlyElementsOf(
        java.util.stream.LongStream.range(0, 700).filter(i -> i % 9 != 2).boxed().toList());
    assertThat(reads(byDay).bytesRead()).isPositive().isLessThan(reads(whole).bytesRead() / 4);

    LocalDateTime from = start.atStartOfDay().plusMinutes(7 * 4500);
    Dataset byTime = read.apply(ctx).filter(col("at").ge(from).and(col("day").isNotNull()));
    assertThat(byTime.explain()).contains("pushed: filter=").contains("at");
    assertThat(byTime.takeAll()).isEqualTo(read.apply(unoptimized)
        .filter(col("at").ge(from).and(col("day").isNotNull())).takeAll())
        .extracting(r -> (Long) r.get("id")).containsExactlyElementsOf(
            java.util.stream.LongStream.range(4500, 5000).filter(i -> i % 9 != 2).boxed()
                .toList());
  }

  @Test
  void theTranslatableConjunctsOfAnAndArePushedAndTheOthersRunAfterTheRead() {
    Dataset ds = sameRowsBothWays(d -> d.filter(col("x").gt(10.0).and(col("id").lt(700))
        .and(col("s").length().eq(2))));
    assertThat(ds.explain()).contains("pushed: filter=lt(id, 700)")
        .contains("Filter[((x > 10.0) and (length(s) = 2))]");
    // ids 21..699, less those whose s is null (id % 11 == 4).
    assertThat(ds.count()).isEqualTo(617);
    assertThat(ds.takeAll()).isEqualTo(parquet(ctx).filter(r -> (Double) r.get("x") > 10.0
        && (Long) r.get("id") < 700 && r.get("s") != null).takeAll());
  }

  @Test
  void computedColumnsNarrowTheReadToTheColumnsTheirExpressionsUse() {
    Dataset ds = sameRowsBothWays(d -> d.withColumn("z", col("x").times(2).plus(col("id")))
        .filter(col("z").gt(9000)).select(col("z"), col("id").alias("key")));
    assertThat(ds.explain()).contains("pushed: columns=[id, x]");
    List<Map<String, Object>> rows = ds.takeAll();
    assertThat(rows).hasSize(499);
    assertThat(rows.get(0)).containsExactly(Map.entry("z", 9002.0), Map.entry("key", 4501L));
  }

  @Test
  void expressionStepsOfOneStageRunAsOneEvaluation() {
    Dataset ds = parquet(ctx).withColumn("z", col("x").times(2))
        .filter(col("z").gt(10)).withColumns(Map.of("w", col("z").plus(1),
            "label", when(col("flag"), "yes").otherwise("no")));
    assertThat(ds.explain()).contains("Filter[(z > 10)]").contains(
        "Evaluate[label = when(flag, 'yes', 'no'), w = (z + 1)]").contains("fused 3 operators");
    List<Map<String, Object>> rows = ds.takeAll();
    assertThat(rows).hasSize(4989);
    assertThat(rows.get(0).keySet()).containsExactly("id", "k", "s", "flag", "x", "z", "label",
        "w");
    assertThat(ds.stats().operators()).hasSizeLessThanOrEqualTo(3);
  }

  @Test
  void aFilterOfInputColumnsPassesComputedColumnsIntoTheRead() {
    Dataset ds = sameRowsBothWays(d -> d.withColumn("z", col("x").times(2))
        .select(col("z"), col("id"), col("s").alias("label")).filter(col("id").lt(700)));
    assertThat(ds.explain()).contains("pushed: columns=[id, s, x], filter=lt(id, 700)");
    assertThat(ds.count()).isEqualTo(700);
    Dataset replaced = parquet(ctx).withColumn("id", col("id").plus(1000))
        .filter(col("id").lt(1700));
    assertThat(replaced.explain()).contains("Filter[(id < 1700)]");
    assertThat(replaced.count()).isEqualTo(700);
  }

  @Test
  void aLimitPassesComputedColumnsIntoTheRead() {
    Dataset ds = sameRowsBothWays(d -> d.withColumn("z", col("id").plus(1)).limit(3));
    assertThat(ds.explain()).contains("limit=3");
    assertThat(ds.takeAll()).extracting(r -> r.get("z")).containsExactly(1L, 2L, 3L);
  }

  @Test
  void anExpressionThatDoesNotTypeCheckFailsWhenThePlanIsBuilt() {
    assertThatThrownBy(() -> parquet(ctx).withColumn("bad", col("s").plus(1)))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("(s + 1)")
        .hasMessageContaining("UTF8, INT64");
    assertThatThrownBy(() -> parquet(ctx).filter(col("nope").isNull()))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("no such column");
    assertThatThrownBy(() -> parquet(ctx).select(col("x"), col("id").alias("x")))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("twice");
  }

  @Test
  void aLambdaFilterStillMeansTheRowPredicate() {
    assertThat(parquet(ctx).filter(r -> (Long) r.get("id") < 3).count()).isEqualTo(3);
  }
}
