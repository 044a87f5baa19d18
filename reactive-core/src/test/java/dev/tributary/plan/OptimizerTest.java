package dev.tributary.plan;

import static dev.tributary.plan.TestPlans.parquetLike;
import static dev.tributary.plan.TestPlans.readUnder;
import static dev.tributary.plan.TestPlans.select;
import static org.apache.parquet.filter2.predicate.FilterApi.gt;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.connectors.ParquetFilter;
import org.junit.jupiter.api.Test;

class OptimizerTest {
  @Test
  void filterThenLimitThenColumnsAllReachTheRead() {
    LogicalPlan plan = new Limit(select(Filter.of(parquetLike(),
        ParquetFilter.of(gt(longColumn("id"), 100L))), "x"), 10);
    LogicalPlan out = Optimizer.optimize(plan);
    Read read = readUnder(out);
    assertThat(read.pushdown()).isEqualTo(new Pushdown(java.util.List.of("x"),
        gt(longColumn("id"), 100L), 10));
    assertThat(LogicalPlan.explain(out)).isEqualTo("""
        Limit[10]
          <- Test[id, x, y]  pushed: columns=[x], filter=gt(id, 100), limit=10
        """);
  }

  @Test
  void aPlanWithNothingToPushIsReturnedEqual() {
    Read read = TestPlans.read(java.util.List.of("id"));
    LogicalPlan plan = new Limit(TestPlans.map(read), 3);
    assertThat(Optimizer.optimize(plan)).isEqualTo(plan);
  }
}
