package dev.tributary.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which aggregations a distributed engine may compute per partition and combine: the combiner
 * reads the parts' column (named like the aggregation) and answers under the same name.
 */
class AggregateCombinerTest {
  @Test
  void countsSumsAndExtremesCombineUnderTheirOwnName() {
    assertThat(Aggregate.count().combiner()).hasValueSatisfying(c -> {
      assertThat(c.kind()).isEqualTo(Aggregate.Kind.SUM);
      assertThat(c.column()).isEqualTo("count()");
      assertThat(c.name()).isEqualTo("count()");
    });
    assertThat(Aggregate.sum("x").as("total").combiner()).hasValueSatisfying(c -> {
      assertThat(c.kind()).isEqualTo(Aggregate.Kind.SUM);
      assertThat(c.column()).isEqualTo("total");
      assertThat(c.name()).isEqualTo("total");
    });
    assertThat(Aggregate.min("x").combiner().orElseThrow().kind()).isEqualTo(Aggregate.Kind.MIN);
    assertThat(Aggregate.max("x").combiner().orElseThrow().kind()).isEqualTo(Aggregate.Kind.MAX);
    assertThat(Aggregate.absMax("x").combiner().orElseThrow().kind())
        .isEqualTo(Aggregate.Kind.MAX);
    assertThat(Aggregate.count("x").combiner()).isPresent();
    assertThat(Aggregate.count("x").ignoreNulls(false).combiner()).isPresent();
  }

  @Test
  void aggregationsNeedingEveryRowOrKeepingNullsHaveNone() {
    List<Aggregate> none = List.of(Aggregate.mean("x"), Aggregate.std("x"), Aggregate.var("x"),
        Aggregate.unique("x"), Aggregate.quantile("x", 0.5),
        Aggregate.sum("x").ignoreNulls(false), Aggregate.min("x").ignoreNulls(false));
    assertThat(none).allSatisfy(a -> assertThat(a.combiner()).as(a.name()).isEmpty());
  }
}
