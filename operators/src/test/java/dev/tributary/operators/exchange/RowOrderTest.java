package dev.tributary.operators.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Normalized keys and the primitive sort order rows exactly as comparing their Java values does
 * ({@link RowOrder#compareValues}), at the edges of every encoding.
 */
class RowOrderTest {
  private static final double[] DOUBLES = {Double.NaN, Double.longBitsToDouble(0x7ff0000000000001L),
      Double.POSITIVE_INFINITY, Double.MAX_VALUE, 1.5, 1.0, Double.MIN_VALUE, 0.0, -0.0,
      -Double.MIN_VALUE, -1.0, -1.5, -Double.MAX_VALUE, Double.NEGATIVE_INFINITY};
  private static final long[] LONGS = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1,
      Long.MAX_VALUE - 1, Long.MAX_VALUE};
  private static final String[] STRINGS = {"", "a", "ab", "abc", "abd", "abcdefghij",
      "abcdefghik", "é", "e\u0301", "\uFFFD", "\uD83D\uDE00", "\uE000", "Z"};

  private final Arena arena = Arena.create("row-order", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("rows");

  @AfterEach
  void noLeaks() {
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  @Test
  void stringValuesCompareInUtf8ByteOrderAsTheNormalizedKeysDo() {
    String[] values = {"", "a", "ab", "\u00e9", "\ud7ff", "\ue000", "\uffff", "\ud83d\ude00",
        "\ud800\udc00", "abcdefgh", "abcdefgh\uffff", "abcdefgh\ud83d\ude00"};
    for (String x : values) {
      for (String y : values) {
        int bytes = Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8),
            y.getBytes(StandardCharsets.UTF_8));
        assertThat(Integer.signum(RowOrder.compareCodePoints(x, y)))
            .as("%s vs %s", x, y).isEqualTo(Integer.signum(bytes));
      }
    }
  }

  @Test
  void orderedBitsKeepDoubleCompareOrder() {
    for (double a : DOUBLES) {
      for (double b : DOUBLES) {
        assertThat(Long.signum(Long.compare(RowOrder.orderedBits(a), RowOrder.orderedBits(b))))
            .as("%s vs %s", a, b)
            .isEqualTo(Integer.signum(Double.compare(a, b)));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 40, 1000})
  void sortedRowsMatchAStableSortOfJavaValues(int rows) {
    Random r = new Random(rows);
    List<Long> l = new ArrayList<>();
    List<Double> d = new ArrayList<>();
    List<Float> f = new ArrayList<>();
    List<Integer> i = new ArrayList<>();
    List<String> s = new ArrayList<>();
    List<Boolean> b = new ArrayList<>();
    for (int row = 0; row < rows; row++) {
      l.add(r.nextInt(8) == 0 ? null : LONGS[r.nextInt(LONGS.length)]);
      d.add(r.nextInt(8) == 0 ? null : DOUBLES[r.nextInt(DOUBLES.length)]);
      f.add(r.nextInt(8) == 0 ? null : (float) DOUBLES[r.nextInt(DOUBLES.length)]);
      i.add(r.nextInt(8) == 0 ? null : r.nextInt(5) - 2);
      s.add(r.nextInt(8) == 0 ? null : STRINGS[r.nextInt(STRINGS.length)]);
      b.add(r.nextInt(8) == 0 ? null : r.nextBoolean());
    }
    try (Block block = BlockBuilder.in(account)
        .column(field("l", new ArrowType.Int(64, true)), l)
        .column(field("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), d)
        .column(field("f", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), f)
        .column(field("i", new ArrowType.Int(32, true)), i)
        .column(field("s", ArrowType.Utf8.INSTANCE), s)
        .column(field("b", ArrowType.Bool.INSTANCE), b)
        .build()) {
      List<String> names = List.of("l", "d", "f", "i", "s", "b");
      for (int first = 0; first < names.size(); first++) {
        for (int variant = 0; variant < 4; variant++) {
          boolean descending = (variant & 1) != 0;
          boolean nullsLast = (variant & 2) != 0;
          List<SortKey> keys = new ArrayList<>();
          keys.add(new SortKey(names.get(first), descending, nullsLast));
          // A second and third key break the first's ties, in the other direction.
          keys.add(new SortKey(names.get((first + 3) % names.size()), !descending, !nullsLast));
          keys.add(new SortKey(names.get((first + 1) % names.size()), descending, !nullsLast));
          assertSortedAsJavaValues(block, keys);
          assertSortedAsJavaValues(block, keys.subList(0, 1));
        }
      }
    }
  }

  @Test
  void keysOfSeveralBlocksCompareAsTheirRows() {
    try (Block one = BlockBuilder.in(account)
            .column(field("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                java.util.Arrays.asList(Double.NaN, null, -0.0))
            .column(field("s", ArrowType.Utf8.INSTANCE), java.util.Arrays.asList("b", "a", null))
            .build();
        Block two = BlockBuilder.in(account)
            .column(field("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                java.util.Arrays.asList(0.0, Double.NaN, null))
            .column(field("s", ArrowType.Utf8.INSTANCE), java.util.Arrays.asList(null, "a", "c"))
            .build()) {
      RowOrder order = new RowOrder(List.of(new SortKey("d", true, false), SortKey.asc("s")));
      RowOrder.Keys keys = RowOrder.Keys.concat(
          List.of(order.columns(one), order.columns(two)), order.size());
      // Nulls first, then descending: NaN ("a" before "b"), 0.0, -0.0.
      assertThat(KeySort.sort(order, keys)).containsExactly(1, 5, 4, 0, 3, 2);
      assertThat(order.compare(order.columns(one), 0, order.columns(two), 1)).isPositive();
    }
  }

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }

  /** KeySort orders the block's rows as a stable sort comparing their Java values does. */
  private static void assertSortedAsJavaValues(Block block, List<SortKey> keys) {
    List<Object[]> columns = new ArrayList<>();
    for (SortKey key : keys) {
      columns.add(ColumnReader.values(block, key.column()));
    }
    Comparator<Integer> byValues = (x, y) -> {
      for (int k = 0; k < keys.size(); k++) {
        int c = RowOrder.compareValues(keys.get(k), columns.get(k)[x], columns.get(k)[y]);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    };
    List<Integer> expected = new ArrayList<>();
    for (int row = 0; row < block.rowCount(); row++) {
      expected.add(row);
    }
    expected.sort(byValues); // stable
    RowOrder order = new RowOrder(keys);
    int[] got = KeySort.sort(order, order.columns(block));
    IntFunction<String> show = row -> java.util.Arrays.toString(
        columns.stream().map(c -> c[row]).toArray());
    assertThat(got).as("%s: first rows %s", keys, show.apply(got.length > 0 ? got[0] : 0))
        .containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
  }
}
