package dev.tributary.plan;

import static dev.tributary.plan.TestPlans.map;
import static dev.tributary.plan.TestPlans.parquetLike;
import static dev.tributary.plan.TestPlans.read;
import static dev.tributary.plan.TestPlans.readUnder;
import static dev.tributary.plan.TestPlans.rename;
import static dev.tributary.plan.TestPlans.select;
import static org.apache.parquet.filter2.predicate.FilterApi.gt;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.connectors.ParquetFilter;
import dev.tributary.operators.ColumnMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectionPushdownTest {
  private final ProjectionPushdown rule = new ProjectionPushdown();

  private List<String> columnsRead(LogicalPlan plan) {
    return readUnder(rule.apply(plan)).pushdown().columns();
  }

  @Test
  void aSelectRightAfterAReadBecomesTheRead() {
    LogicalPlan out = rule.apply(select(parquetLike(), "x"));
    assertThat(out).isInstanceOf(Read.class);
    assertThat(((Read) out).pushdown().columns()).containsExactly("x");
    assertThat(out.columns()).containsExactly("x");
    assertThat(out.describe()).endsWith("pushed: columns=[x]");
  }

  @Test
  void projectionsOverANarrowedReadNameOnlyColumnsStillThere() {
    // drop(y) then rename(x -> z) then select(z): y is no longer read, so the drop cannot name it.
    LogicalPlan plan = select(rename(new Project(parquetLike(), ColumnMapping.drop(List.of("y"))),
        "x", "z"), "z");
    LogicalPlan out = rule.apply(plan);
    assertThat(LogicalPlan.explain(out)).isEqualTo("""
        Select[x->z]
          <- Test[id, x, y]  pushed: columns=[x]
        """);
    assertThat(out.columns()).containsExactly("z");
  }

  @Test
  void columnsAreReadInTheSourcesOrderWhateverOrderTheSelectAsks() {
    LogicalPlan out = rule.apply(select(parquetLike(), "y", "id"));
    assertThat(readUnder(out).pushdown().columns()).containsExactly("id", "y");
    assertThat(out.columns()).as("the select still orders them").containsExactly("y", "id");
  }

  @Test
  void renamesDropsLimitsAndRecutsCarryTheNeedDown() {
    LogicalPlan plan = select(new Limit(rename(new Rebatch(parquetLike(), 5), "x", "z"), 3), "z");
    assertThat(columnsRead(plan)).containsExactly("x");
    LogicalPlan drop = new Project(parquetLike(), ColumnMapping.drop(List.of("y")));
    assertThat(columnsRead(drop)).containsExactly("id", "x");
  }

  @Test
  void aPushableFilterAddsTheColumnsItTests() {
    LogicalPlan plan = select(Filter.of(parquetLike(),
        ParquetFilter.of(gt(longColumn("id"), 1L))), "y");
    assertThat(columnsRead(plan)).containsExactly("id", "y");
  }

  @Test
  void userFunctionsAndOpaqueFiltersNeedEveryColumn() {
    assertThat(columnsRead(select(map(parquetLike()), "x"))).isNull();
    assertThat(columnsRead(select(TestPlans.opaqueFilter(parquetLike()), "x"))).isNull();
    assertThat(columnsRead(parquetLike())).as("no projection: everything is used").isNull();
  }

  @Test
  void aReadThatCannotTakeItIsLeftAlone() {
    Read plain = read(List.of("id", "x"));
    LogicalPlan plan = select(plain, "x");
    assertThat(rule.apply(plan)).isEqualTo(plan);
  }

  @Test
  void aUnionNarrowsEveryInputThroughItsOwnProjection() {
    Read plain = read(List.of("id", "x", "y"));
    LogicalPlan out = rule.apply(select(new Union(List.of(parquetLike(), plain)), "y"));
    Union union = (Union) out;
    assertThat(union.columns()).containsExactly("y");
    assertThat(union.inputs()).allSatisfy(i -> assertThat(i.columns()).containsExactly("y"));
    assertThat(readUnder(union.inputs().get(0)).pushdown().columns()).containsExactly("y");
    assertThat(readUnder(union.inputs().get(1))).isEqualTo(plain);
  }
}
