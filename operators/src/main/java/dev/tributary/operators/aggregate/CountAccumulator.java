package dev.tributary.operators.aggregate;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;

/** {@code count()} and {@code count(c)}: rows, or with {@code ignoreNulls} non-null non-NaN values. */
final class CountAccumulator extends Accumulator {
  private final String column;
  private final boolean valuesOnly;
  private long[] counts = new long[0];

  CountAccumulator(String column, boolean ignoreNulls) {
    this.column = column;
    this.valuesOnly = column != null && ignoreNulls;
  }

  @Override
  void grow(int groups) {
    if (groups > counts.length) {
      counts = Arrays.copyOf(counts, capacity(counts.length, groups));
    }
  }

  @Override
  void accumulate(Block block, int[] groupOf, Account scratch) {
    int rows = block.rowCount();
    long[] c = counts;
    if (!valuesOnly) {
      for (int i = 0; i < rows; i++) {
        c[groupOf[i]]++;
      }
      return;
    }
    FieldVector v = block.vector(column);
    boolean floating = v instanceof Float8Vector || v instanceof Float4Vector;
    for (int i = 0; i < rows; i++) {
      if (!v.isNull(i) && !(floating && isNaN(v, i))) {
        c[groupOf[i]]++;
      }
    }
  }

  private static boolean isNaN(FieldVector v, int i) {
    return v instanceof Float8Vector d ? Double.isNaN(d.get(i))
        : Float.isNaN(((Float4Vector) v).get(i));
  }

  @Override
  void load(long rows, ValueStates states) {
    counts[0] = valuesOnly ? states.values() : rows;
  }

  @Override
  int stateColumns() {
    return 1;
  }

  @Override
  List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator) {
    return List.of(finish(prefix + "count", groups, allocator));
  }

  @Override
  void merge(List<FieldVector> states, int[] groupOf, int rows) {
    BigIntVector in = (BigIntVector) states.get(0);
    for (int i = 0; i < rows; i++) {
      counts[groupOf[i]] += in.get(i);
    }
  }

  @Override
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
    BigIntVector out = longs(name, allocator, groups.length);
    for (int i = 0; i < groups.length; i++) {
      out.set(i, counts[groups[i]]);
    }
    return out;
  }

  @Override
  long heapBytes() {
    return 8L * counts.length;
  }
}
