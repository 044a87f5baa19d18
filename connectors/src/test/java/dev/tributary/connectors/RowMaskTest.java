package dev.tributary.connectors;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.doubleColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.floatColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.gt;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.intColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;
import static org.apache.parquet.filter2.predicate.FilterApi.not;
import static org.apache.parquet.filter2.predicate.FilterApi.notEq;
import static org.apache.parquet.filter2.predicate.FilterApi.or;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

/**
 * The column-at-a-time filter against a reference computed row by row in plain Java with
 * Parquet's semantics (a comparison with a null is false but {@code notEq} keeps nulls; doubles
 * and floats in {@link Double#compare} order: -0.0 below 0.0, NaN above all), over seeded data
 * with nulls, extremes, NaN and ±0, on a row count that is not a multiple of 64.
 */
class RowMaskTest extends ArenaTestSupport {
  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
      "message t { optional int32 i; optional int64 l; optional double d; optional float f; }");
  private static final int ROWS = 1_000;
  private static final String[] OPS = {"eq", "notEq", "lt", "ltEq", "gt", "gtEq"};

  @Test
  void everyComparisonOfEveryPrimitiveTypeKeepsWhatTheRowByRowReferenceKeeps() {
    Random random = new Random(7);
    Integer[] ints = new Integer[ROWS];
    Long[] longs = new Long[ROWS];
    Double[] doubles = new Double[ROWS];
    Float[] floats = new Float[ROWS];
    int[] intEdges = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE};
    long[] longEdges = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE};
    double[] doubleEdges = {Double.NEGATIVE_INFINITY, -0.0, 0.0, 1.5, Double.NaN,
        Double.POSITIVE_INFINITY};
    for (int r = 0; r < ROWS; r++) {
      boolean edge = random.nextInt(4) == 0;
      ints[r] = random.nextInt(8) == 0 ? null
          : edge ? intEdges[random.nextInt(intEdges.length)] : random.nextInt(21) - 10;
      longs[r] = random.nextInt(8) == 0 ? null
          : edge ? longEdges[random.nextInt(longEdges.length)] : random.nextInt(21) - 10L;
      double d = edge ? doubleEdges[random.nextInt(doubleEdges.length)]
          : (random.nextInt(21) - 10) / 2.0;
      doubles[r] = random.nextInt(8) == 0 ? null : d;
      floats[r] = random.nextInt(8) == 0 ? null : (float) d;
    }
    try (Block block = BlockBuilder.in(account).column("i", ints).column("l", longs)
        .column("d", doubles).column("f", floats).build()) {
      for (String op : OPS) {
        for (int v : new int[] {Integer.MIN_VALUE, -3, 0, 4, Integer.MAX_VALUE}) {
          check(block, leaf(op, "i", v), row -> test(op, ints[row], v));
        }
        for (long v : new long[] {Long.MIN_VALUE, -3, 0, 4, Long.MAX_VALUE}) {
          check(block, leaf(op, "l", v), row -> test(op, longs[row], v));
        }
        for (double v : doubleEdges) {
          check(block, leaf(op, "d", v), row -> test(op, doubles[row], v));
          check(block, leaf(op, "f", (float) v), row -> test(op,
              floats[row] == null ? null : (double) floats[row], (double) (float) v));
        }
      }
      check(block, eq(intColumn("i"), null), row -> ints[row] == null);
      check(block, notEq(doubleColumn("d"), null), row -> doubles[row] != null);
      check(block, not(lt(intColumn("i"), 0)), row -> !test("lt", ints[row], 0));
      check(block, or(and(gt(longColumn("l"), -5L), ltEq(longColumn("l"), 5L)),
              eq(doubleColumn("d"), Double.NaN)),
          row -> test("gt", longs[row], -5L) && test("ltEq", longs[row], 5L)
              || test("eq", doubles[row], Double.NaN));
    }
  }

  private void check(Block block, FilterPredicate p, IntPredicate reference) {
    long[] mask = RowMask.of(p, block, SCHEMA, leaf -> {
      throw new AssertionError("a primitive comparison went row by row: " + leaf);
    });
    List<Integer> expected = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      if (reference.test(r)) {
        expected.add(r);
      }
    }
    List<Integer> got = new ArrayList<>();
    for (int r : RowMask.indexes(mask)) {
      got.add(r);
    }
    assertThat(got).as(p.toString()).isEqualTo(expected);
  }

  private static boolean test(String op, Long cell, long value) {
    return cell == null ? op.equals("notEq") : outcome(op, Long.compare(cell, value));
  }

  private static boolean test(String op, Integer cell, int value) {
    return cell == null ? op.equals("notEq") : outcome(op, Integer.compare(cell, value));
  }

  private static boolean test(String op, Double cell, double value) {
    return cell == null ? op.equals("notEq") : outcome(op, Double.compare(cell, value));
  }

  private static boolean outcome(String op, int c) {
    return switch (op) {
      case "eq" -> c == 0;
      case "notEq" -> c != 0;
      case "lt" -> c < 0;
      case "ltEq" -> c <= 0;
      case "gt" -> c > 0;
      default -> c >= 0;
    };
  }

  private static FilterPredicate leaf(String op, String column, Object v) {
    return switch (column) {
      case "i" -> compare(op, intColumn(column), (Integer) v);
      case "l" -> compare(op, longColumn(column), (Long) v);
      case "d" -> compare(op, doubleColumn(column), (Double) v);
      default -> compare(op, floatColumn(column), (Float) v);
    };
  }

  private static <T extends Comparable<T>, C extends org.apache.parquet.filter2.predicate
      .Operators.Column<T> & org.apache.parquet.filter2.predicate.Operators.SupportsLtGt>
      FilterPredicate compare(String op, C c, T v) {
    return switch (op) {
      case "eq" -> eq(c, v);
      case "notEq" -> notEq(c, v);
      case "lt" -> lt(c, v);
      case "ltEq" -> ltEq(c, v);
      case "gt" -> gt(c, v);
      default -> gtEq(c, v);
    };
  }
}
