package dev.tributary.operators.aggregate;

import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.LongIdTable;
import dev.tributary.operators.LongKeyColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * {@code unique(c)}: the distinct Java values per group; finished as a sorted list (comparable
 * values in natural order, a kept null last) so the result does not depend on block order or
 * spills. NaN counts as null. A signed integer column is read unboxed while the table has one
 * group (a global {@code unique}, or a group-by before its second key): its distinct values in
 * a {@link LongIdTable}, boxed once each when a second group comes or the states are written.
 */
final class UniqueAccumulator extends Accumulator {
  /** Arrow Java's own name for a list vector's child (see NOTES). */
  private static final String ELEMENT = "$data$";

  private final String column;
  private final Field element;
  private final boolean ignoreNulls;
  private List<Set<Object>> values = new ArrayList<>();
  private long heap;
  /** A signed integer column: read unboxed while there is one group. */
  private final boolean integers;
  /** The one group's distinct non-null values not yet boxed into {@link #values}, or null. */
  private LongIdTable distinct;
  private long[] distinctValues;
  private boolean sawNull;

  UniqueAccumulator(String column, Field field, boolean ignoreNulls) {
    this.column = column;
    this.element = new Field(ELEMENT, FieldType.nullable(field.getType()), field.getChildren());
    this.ignoreNulls = ignoreNulls;
    this.integers = field.getType() instanceof ArrowType.Int i && i.getIsSigned();
  }

  @Override
  void grow(int groups) {
    while (values.size() < groups) {
      values.add(new LinkedHashSet<>());
    }
  }

  @Override
  void accumulate(Block block, int[] groupOf, Account scratch) {
    FieldVector v = block.vector(column);
    int rows = block.rowCount();
    if (integers && values.size() == 1) {
      accumulateOneGroup(new LongKeyColumn(v), rows);
      return;
    }
    boxDistinct();
    for (int i = 0; i < rows; i++) {
      offer(groupOf[i], JavaValues.get(v, i));
    }
  }

  private void accumulateOneGroup(LongKeyColumn v, int rows) {
    if (distinct == null) {
      distinct = new LongIdTable(16);
      distinctValues = new long[16];
    }
    for (int i = 0; i < rows; i++) {
      if (v.isNull(i)) {
        sawNull = true;
        continue;
      }
      long x = v.get(i);
      int n = distinct.size();
      if (distinct.getOrPut(x, n) == n) {
        if (n == distinctValues.length) {
          distinctValues = Arrays.copyOf(distinctValues, 2 * n);
        }
        distinctValues[n] = x;
      }
    }
  }

  /** Boxes the one group's unboxed distinct values into its set (each value once). */
  private void boxDistinct() {
    if (distinct == null) {
      return;
    }
    int width = ((ArrowType.Int) element.getType()).getBitWidth();
    for (int n = 0; n < distinct.size(); n++) {
      long x = distinctValues[n];
      offer(0, switch (width) {
        case 8 -> (Object) (byte) x;
        case 16 -> (short) x;
        case 32 -> (int) x;
        default -> x;
      });
    }
    if (sawNull) {
      offer(0, null);
    }
    distinct = null;
    distinctValues = null;
    sawNull = false;
  }

  /** Whether {@code value} is a floating-point NaN, which counts as null. */
  static boolean isNaN(Object value) {
    return value instanceof Double d && d.isNaN() || value instanceof Float f && f.isNaN();
  }

  /** Sorts {@code values} in natural order, a null last, when every value is comparable. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void sortIfComparable(List<Object> values) {
    if (values.stream().allMatch(v -> v == null || v instanceof Comparable)) {
      values.sort(Comparator.nullsLast((a, b) -> ((Comparable) a).compareTo(b)));
    }
  }

  private void offer(int g, Object value) {
    if (isNaN(value)) {
      value = null;
    }
    if (value == null && ignoreNulls) {
      return;
    }
    if (values.get(g).add(value)) {
      heap += value instanceof String s ? 72 + 2L * s.length() : 56;
    }
  }

  private Field listField(String name) {
    return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(element));
  }

  @Override
  int stateColumns() {
    return 1;
  }

  @Override
  List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator) {
    boxDistinct();
    FieldVector out = listField(prefix + "values").createVector(allocator);
    out.allocateNew();
    for (int i = 0; i < groups.length; i++) {
      JavaValues.set(out, i, new ArrayList<>(values.get(groups[i])));
    }
    out.setValueCount(groups.length);
    return List.of(out);
  }

  @Override
  @SuppressWarnings("unchecked")
  void merge(List<FieldVector> states, int[] groupOf, int rows) {
    boxDistinct();
    FieldVector in = states.get(0);
    for (int i = 0; i < rows; i++) {
      for (Object value : (List<Object>) JavaValues.get(in, i)) {
        offer(groupOf[i], value);
      }
    }
  }

  @Override
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
    boxDistinct();
    FieldVector out = listField(name).createVector(allocator);
    out.allocateNew();
    for (int i = 0; i < groups.length; i++) {
      List<Object> sorted = new ArrayList<>(values.get(groups[i]));
      sortIfComparable(sorted);
      JavaValues.set(out, i, sorted);
    }
    out.setValueCount(groups.length);
    return out;
  }

  @Override
  long heapBytes() {
    return 64L * values.size() + heap
        + (distinct == null ? 0 : distinct.heapBytes() + 8L * distinctValues.length);
  }

}
