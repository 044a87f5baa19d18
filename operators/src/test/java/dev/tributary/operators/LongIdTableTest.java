package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The unboxed long-keyed table agrees with a {@link HashMap} through collisions and growth. */
class LongIdTableTest {
  @Test
  void numbersKeysDenselyThroughGrowthAndRehash() {
    LongIdTable table = new LongIdTable(1);
    Map<Long, Integer> reference = new HashMap<>();
    SplittableRandom random = new SplittableRandom(12);
    for (int i = 0; i < 200_000; i++) {
      long key = random.nextLong(50_000) - 25_000;
      int id = table.getOrPut(key, reference.size());
      assertThat(id).isEqualTo(reference.computeIfAbsent(key, k -> reference.size()));
    }
    assertThat(table.size()).isEqualTo(reference.size());
    reference.forEach((k, v) -> assertThat(table.get(k)).isEqualTo(v));
    assertThat(table.get(25_001)).isEqualTo(-1);
    // Sized by its arrays, at most half full.
    assertThat(table.heapBytes()).isGreaterThanOrEqualTo(32L * reference.size());
  }

  @Test
  void keysThatCollideInTheLowBitsStayApart() {
    LongIdTable table = new LongIdTable(16);
    // Multiples of a large power of two: equal in every bit a small table looks at before mixing.
    for (int i = 0; i < 10_000; i++) {
      assertThat(table.getOrPut((long) i << 40, i)).isEqualTo(i);
    }
    for (int i = 0; i < 10_000; i++) {
      assertThat(table.get((long) i << 40)).isEqualTo(i);
      assertThat(table.get(((long) i << 40) + 1)).isEqualTo(-1);
    }
  }

  @Test
  void extremeKeysAndZeroAreOrdinaryKeys() {
    LongIdTable table = new LongIdTable(4);
    long[] keys = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1, Long.MIN_VALUE + 1};
    for (int i = 0; i < keys.length; i++) {
      assertThat(table.getOrPut(keys[i], i)).isEqualTo(i);
    }
    for (int i = 0; i < keys.length; i++) {
      assertThat(table.getOrPut(keys[i], 99)).isEqualTo(i);
      assertThat(table.get(keys[i])).isEqualTo(i);
    }
    assertThat(table.size()).isEqualTo(keys.length);
  }

  @Test
  void putReplacesAndReturnsThePreviousValue() {
    LongIdTable table = new LongIdTable(16);
    assertThat(table.put(7, 1)).isEqualTo(-1);
    assertThat(table.put(7, 2)).isEqualTo(1);
    assertThat(table.get(7)).isEqualTo(2);
    assertThat(table.size()).isEqualTo(1);
    assertThatThrownBy(() -> table.put(8, -3)).isInstanceOf(IllegalArgumentException.class);
  }
}
