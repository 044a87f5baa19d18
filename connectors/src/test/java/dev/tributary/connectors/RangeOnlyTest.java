package dev.tributary.connectors;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gt;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.in;
import static org.apache.parquet.filter2.predicate.FilterApi.intColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;
import static org.apache.parquet.filter2.predicate.FilterApi.not;
import static org.apache.parquet.filter2.predicate.FilterApi.notEq;
import static org.apache.parquet.filter2.predicate.FilterApi.or;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.parquet.filter2.predicate.Operators.IntColumn;
import org.junit.jupiter.api.Test;

/**
 * Range comparisons skip row groups by statistics alone; any leaf a dictionary or bloom filter
 * can rule out where min/max cannot keeps those levels.
 */
class RangeOnlyTest {
  private static final IntColumn KEY = intColumn("key");

  @Test
  void rangesAndTheirCombinationsAreRangeOnly() {
    assertThat(RangeOnly.of(lt(KEY, 5))).isTrue();
    assertThat(RangeOnly.of(and(gtEq(KEY, 1), ltEq(KEY, 9)))).isTrue();
    assertThat(RangeOnly.of(or(gt(KEY, 100), lt(KEY, -100)))).isTrue();
  }

  @Test
  void equalityInNullTestsAndNegationsAreNot() {
    assertThat(RangeOnly.of(eq(KEY, 5))).isFalse();
    assertThat(RangeOnly.of(notEq(KEY, 5))).isFalse();
    assertThat(RangeOnly.of(eq(KEY, null))).isFalse();
    assertThat(RangeOnly.of(in(KEY, Set.of(1, 2)))).isFalse();
    assertThat(RangeOnly.of(not(lt(KEY, 5)))).isFalse();
    assertThat(RangeOnly.of(and(lt(KEY, 5), eq(KEY, 3)))).isFalse();
  }
}
