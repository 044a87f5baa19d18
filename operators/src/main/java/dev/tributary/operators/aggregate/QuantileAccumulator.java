package dev.tributary.operators.aggregate;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * {@code quantile(c, q)}: every value of a group kept (as doubles), sorted when finished and
 * interpolated linearly between the two nearest ranks, like Ray's {@code Quantile}. NaN counts
 * as null.
 */
final class QuantileAccumulator extends Accumulator {
  private final String column;
  private final boolean ignoreNulls;
  private final double q;
  private double[][] values = new double[0][];
  private int[] sizes = new int[0];
  private long[] nulls = new long[0];
  private long total;

  QuantileAccumulator(String column, boolean ignoreNulls, double q) {
    this.column = column;
    this.ignoreNulls = ignoreNulls;
    this.q = q;
  }

  @Override
  void grow(int groups) {
    if (groups > sizes.length) {
      int n = capacity(sizes.length, groups);
      values = Arrays.copyOf(values, n);
      sizes = Arrays.copyOf(sizes, n);
      nulls = Arrays.copyOf(nulls, n);
    }
  }

  @Override
  void accumulate(Block block, int[] groupOf, Account scratch) {
    FieldVector v = block.vector(column);
    int rows = block.rowCount();
    for (int i = 0; i < rows; i++) {
      Object value = v.isNull(i) ? null : v.getObject(i);
      offer(groupOf[i], value == null ? Double.NaN : ((Number) value).doubleValue());
    }
  }

  private void offer(int g, double x) {
    if (Double.isNaN(x)) {
      nulls[g]++;
      return;
    }
    double[] a = values[g];
    if (a == null) {
      a = values[g] = new double[4];
    } else if (sizes[g] == a.length) {
      a = values[g] = Arrays.copyOf(a, a.length * 2);
    }
    a[sizes[g]++] = x;
    total++;
  }

  @Override
  int stateColumns() {
    return 2;
  }

  @Override
  List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator) {
    ListVector out = ListVector.empty(prefix + "values", allocator);
    out.addOrGetVector(FieldType.nullable(new ArrowType.FloatingPoint(
        org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)));
    out.allocateNew();
    Float8Vector data = (Float8Vector) out.getDataVector();
    BigIntVector nl = longs(prefix + "nulls", allocator, groups.length);
    int at = 0;
    for (int i = 0; i < groups.length; i++) {
      int g = groups[i];
      out.startNewValue(i);
      for (int j = 0; j < sizes[g]; j++) {
        data.setSafe(at++, values[g][j]);
      }
      out.endValue(i, sizes[g]);
      nl.set(i, nulls[g]);
    }
    data.setValueCount(at);
    out.setValueCount(groups.length);
    return List.of(out, nl);
  }

  @Override
  void merge(List<FieldVector> states, int[] groupOf, int rows) {
    ListVector in = (ListVector) states.get(0);
    Float8Vector data = (Float8Vector) in.getDataVector();
    BigIntVector nl = (BigIntVector) states.get(1);
    for (int i = 0; i < rows; i++) {
      int g = groupOf[i];
      for (int j = in.getElementStartIndex(i); j < in.getElementEndIndex(i); j++) {
        offer(g, data.get(j));
      }
      nulls[g] += nl.get(i);
    }
  }

  @Override
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
    Float8Vector out = doubles(name, allocator, groups.length);
    for (int i = 0; i < groups.length; i++) {
      int g = groups[i];
      int n = sizes[g];
      if (n == 0 || (!ignoreNulls && nulls[g] > 0)) {
        out.setNull(i);
        continue;
      }
      double[] sorted = Arrays.copyOf(values[g], n);
      Arrays.sort(sorted);
      double rank = q * (n - 1);
      int lo = (int) Math.floor(rank);
      int hi = (int) Math.ceil(rank);
      out.set(i, sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo));
    }
    return out;
  }

  @Override
  long heapBytes() {
    return 8L * total + 40L * sizes.length;
  }
}
