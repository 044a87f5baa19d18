package dev.tributary.plan;

import static dev.tributary.plan.TestPlans.map;
import static dev.tributary.plan.TestPlans.mapBatches;
import static dev.tributary.plan.TestPlans.opaqueFilter;
import static dev.tributary.plan.TestPlans.parquetLike;
import static dev.tributary.plan.TestPlans.read;
import static dev.tributary.plan.TestPlans.readUnder;
import static dev.tributary.plan.TestPlans.select;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LimitPushdownTest {
  private final LimitPushdown rule = new LimitPushdown();

  @Test
  void aLimitOverAReadIsPushedAndStaysForExactness() {
    LogicalPlan out = rule.apply(new Limit(parquetLike(), 7));
    assertThat(out).isInstanceOf(Limit.class);
    assertThat(((Limit) out).rows()).isEqualTo(7);
    assertThat(readUnder(out).pushdown().limit()).isEqualTo(7);
    assertThat(readUnder(out).describe()).endsWith("pushed: limit=7");
  }

  @Test
  void itPassesProjectionsRecutsRowFunctionsAndOtherLimitsKeepingTheSmaller() {
    LogicalPlan plan = new Limit(select(map(new Rebatch(new Limit(parquetLike(), 3), 2)), "x"),
        10);
    assertThat(readUnder(rule.apply(plan)).pushdown().limit()).isEqualTo(3);
  }

  @Test
  void filtersBatchFunctionsFlatMapsAndUnionsStopIt() {
    for (LogicalPlan below : List.of(opaqueFilter(parquetLike()), mapBatches(parquetLike(), 0, 1),
        new FlatMap(parquetLike(), r -> List.of(r)),
        new Union(List.of(parquetLike(), parquetLike())))) {
      LogicalPlan plan = new Limit(below, 5);
      assertThat(rule.apply(plan)).isEqualTo(plan);
    }
  }

  @Test
  void aReadThatCannotTakeItIsLeftAlone() {
    LogicalPlan plan = new Limit(read(List.of("id")), 5);
    assertThat(rule.apply(plan)).isEqualTo(plan);
  }

  @Test
  void aReadWithAPushedFilterTakesTheLimitAfterIt() {
    Read filtered = parquetLike().withPushdown(Pushdown.NONE.withFilter(
        org.apache.parquet.filter2.predicate.FilterApi.gt(
            org.apache.parquet.filter2.predicate.FilterApi.longColumn("id"), 1L)));
    Read out = readUnder(rule.apply(new Limit(filtered, 4)));
    assertThat(out.pushdown().limit()).isEqualTo(4);
    assertThat(out.pushdown().filter()).isNotNull();
  }
}
