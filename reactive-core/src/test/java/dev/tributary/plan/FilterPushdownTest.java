package dev.tributary.plan;

import static dev.tributary.plan.TestPlans.map;
import static dev.tributary.plan.TestPlans.opaqueFilter;
import static dev.tributary.plan.TestPlans.parquetLike;
import static dev.tributary.plan.TestPlans.read;
import static dev.tributary.plan.TestPlans.rename;
import static dev.tributary.plan.TestPlans.select;
import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.gt;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.connectors.ParquetFilter;
import java.util.List;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.junit.jupiter.api.Test;

class FilterPushdownTest {
  private static final FilterPredicate ID_GT_10 = gt(longColumn("id"), 10L);
  private final FilterPushdown rule = new FilterPushdown();

  private static Filter where(LogicalPlan input, FilterPredicate p) {
    return Filter.of(input, ParquetFilter.of(p));
  }

  @Test
  void aFilterOverAReadThatTakesFiltersBecomesThePushdown() {
    LogicalPlan out = rule.apply(where(parquetLike(), ID_GT_10));
    assertThat(out).isInstanceOf(Read.class);
    assertThat(((Read) out).pushdown().filter()).isEqualTo(ID_GT_10);
    assertThat(out.describe()).contains("pushed: filter=gt(id, 10)");
  }

  @Test
  void itPassesRecutsOtherFiltersAndProjectionsThatKeepItsColumnsNames() {
    LogicalPlan plan = where(select(opaqueFilter(new Rebatch(parquetLike(), 10)), "id", "x"),
        ID_GT_10);
    LogicalPlan out = rule.apply(plan);
    assertThat(out).isInstanceOf(Project.class);
    assertThat(out.inputs().get(0)).isInstanceOf(Filter.class);
    assertThat(out.inputs().get(0).inputs().get(0)).isInstanceOf(Rebatch.class);
    assertThat(TestPlans.readUnder(out).pushdown().filter()).isEqualTo(ID_GT_10);
  }

  @Test
  void twoFiltersReachTheReadAsOne() {
    FilterPredicate below = lt(longColumn("x"), 5L);
    LogicalPlan out = rule.apply(where(where(parquetLike(), below), ID_GT_10));
    assertThat(((Read) out).pushdown().filter()).isEqualTo(and(below, ID_GT_10));
  }

  @Test
  void itStopsWhereTheRowsOrTheColumnsNamesChange() {
    // A rename of the filtered column: the filter stays above it.
    Filter overRename = where(rename(parquetLike(), "x", "id2"), gt(longColumn("id2"), 1L));
    assertThat(rule.apply(overRename)).isEqualTo(overRename);
    // A user function, a limit: the filter stays where it was written.
    Filter overMap = where(map(parquetLike()), ID_GT_10);
    assertThat(rule.apply(overMap)).isEqualTo(overMap);
    Filter overLimit = where(new Limit(parquetLike(), 5), ID_GT_10);
    assertThat(rule.apply(overLimit)).isEqualTo(overLimit);
  }

  @Test
  void overAReadThatCannotTakeItTheFilterStaysAsARowFilter() {
    Filter filter = where(read(List.of("id")), ID_GT_10);
    assertThat(rule.apply(filter)).isEqualTo(filter);
  }

  @Test
  void aLongPredicateIsCutInPlans() {
    java.util.Set<Long> many = new java.util.HashSet<>();
    for (long i = 0; i < 500; i++) {
      many.add(i);
    }
    FilterPredicate in = org.apache.parquet.filter2.predicate.FilterApi.in(longColumn("id"), many);
    LogicalPlan out = rule.apply(where(parquetLike(), in));
    assertThat(out.describe()).endsWith("...").hasSizeLessThan(Pushdown.MAX_SHOWN + 40);
    assertThat(where(read(List.of("id")), in).describe()).startsWith("Where[in(id, ")
        .endsWith("...]");
  }

  @Test
  void intoAUnionItGoesToEveryInputEachAsFarAsItCan() {
    Read plain = read(List.of("id", "x", "y"));
    LogicalPlan out = rule.apply(where(new Union(List.of(parquetLike(), plain)), ID_GT_10));
    assertThat(out).isInstanceOf(Union.class);
    assertThat(((Read) out.inputs().get(0)).pushdown().filter()).isEqualTo(ID_GT_10);
    assertThat(out.inputs().get(1)).isInstanceOf(Filter.class);
    assertThat(out.inputs().get(1).inputs().get(0)).isEqualTo(plain);
  }
}
