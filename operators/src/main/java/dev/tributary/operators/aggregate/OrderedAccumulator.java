package dev.tributary.operators.aggregate;

import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * {@code min} or {@code max} of a comparable column that is not numeric (strings, dates,
 * timestamps, decimals, booleans): the best Java value per group, written back in the column's
 * own type. Strings compare as Java strings (UTF-16 order).
 */
final class OrderedAccumulator extends Accumulator {
  /** The name of the state holding each group's value (after a prefix). */
  static final String VALUE = "value";

  private final String column;
  private final Field field;
  private final boolean max;
  private final boolean ignoreNulls;
  private Object[] best = new Object[0];
  private long[] nulls = new long[0];
  private long heap;

  OrderedAccumulator(String column, Field field, boolean max, boolean ignoreNulls) {
    this.column = column;
    this.field = new Field(field.getName(), FieldType.nullable(field.getType()),
        field.getChildren());
    this.max = max;
    this.ignoreNulls = ignoreNulls;
  }

  /** Whether min/max of {@code type} is taken here. */
  static boolean readable(ArrowType type) {
    return type instanceof ArrowType.Utf8 || type instanceof ArrowType.Date
        || type instanceof ArrowType.Timestamp || type instanceof ArrowType.Decimal
        || type instanceof ArrowType.Bool;
  }

  @Override
  void grow(int groups) {
    if (groups > best.length) {
      int n = capacity(best.length, groups);
      best = Arrays.copyOf(best, n);
      nulls = Arrays.copyOf(nulls, n);
    }
  }

  @Override
  void accumulate(Block block, int[] groupOf, Account scratch) {
    FieldVector v = block.vector(column);
    int rows = block.rowCount();
    for (int i = 0; i < rows; i++) {
      offer(groupOf[i], JavaValues.get(v, i));
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void offer(int g, Object value) {
    if (value == null) {
      nulls[g]++;
      return;
    }
    Object current = best[g];
    if (current == null) {
      best[g] = value;
      heap += value instanceof String s ? 40 + 2L * s.length() : 24;
    } else {
      int c = ((Comparable) value).compareTo(current);
      if (max ? c > 0 : c < 0) {
        best[g] = value;
      }
    }
  }

  @Override
  int stateColumns() {
    return 2;
  }

  @Override
  List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator) {
    FieldVector values = new Field(prefix + VALUE, field.getFieldType(), field.getChildren())
        .createVector(allocator);
    values.allocateNew();
    BigIntVector nl = longs(prefix + "nulls", allocator, groups.length);
    for (int i = 0; i < groups.length; i++) {
      JavaValues.set(values, i, best[groups[i]]);
      nl.set(i, nulls[groups[i]]);
    }
    values.setValueCount(groups.length);
    return List.of(values, nl);
  }

  @Override
  void merge(List<FieldVector> states, int[] groupOf, int rows) {
    FieldVector values = states.get(0);
    BigIntVector nl = (BigIntVector) states.get(1);
    for (int i = 0; i < rows; i++) {
      Object value = JavaValues.get(values, i);
      if (value != null) {
        offer(groupOf[i], value);
      }
      nulls[groupOf[i]] += nl.get(i);
    }
  }

  @Override
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
    FieldVector out = new Field(name, field.getFieldType(), field.getChildren())
        .createVector(allocator);
    out.allocateNew();
    for (int i = 0; i < groups.length; i++) {
      int g = groups[i];
      JavaValues.set(out, i, !ignoreNulls && nulls[g] > 0 ? null : best[g]);
    }
    out.setValueCount(groups.length);
    return out;
  }

  @Override
  long heapBytes() {
    return 16L * best.length + heap;
  }
}
