package dev.tributary.operators.aggregate;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * {@code sum}, {@code min}, {@code max}, {@code absMax}, {@code mean}, {@code std}, {@code var} of
 * a numeric column: per group the count of values, of nulls (NaN included), the sum (exact int64
 * for integer columns), min, max and, for the moments, the running mean and sum of squared
 * deviations (Welford, merged with Chan's formula). Only the states its kind needs are kept and
 * spilled (a {@code max} keeps no sum). Values are read straight from the column's data and
 * validity buffers, the type resolved once per block.
 */
final class NumericAccumulator extends Accumulator {
  private final Aggregate.Kind kind;
  private final String column;
  private final boolean ignoreNulls;
  private final double ddof;
  /** Integer input: sums, min and max are exact longs. */
  private final boolean integral;
  private final boolean moments;
  /** Which states the kind needs: the sum (sum, mean), the minimum, the maximum. */
  private final boolean sums;
  private final boolean mins;
  private final boolean maxes;
  private long[] count = new long[0];
  private long[] nulls = new long[0];
  private long[] lsum = new long[0];
  private long[] lmin = new long[0];
  private long[] lmax = new long[0];
  private double[] dsum = new double[0];
  private double[] dmin = new double[0];
  private double[] dmax = new double[0];
  private double[] mean = new double[0];
  private double[] m2 = new double[0];
  /**
   * The column is of Arrow's null type (no value, no type yet): a sum or extreme of it is of the
   * null type too, so that combining it with a typed part's takes that part's type.
   */
  private final boolean untyped;

  NumericAccumulator(Aggregate aggregate, ArrowType type) {
    this.kind = aggregate.kind();
    this.column = aggregate.column();
    this.ignoreNulls = aggregate.ignoresNulls();
    this.ddof = aggregate.parameter();
    this.integral = type instanceof ArrowType.Int;
    this.untyped = type instanceof ArrowType.Null;
    this.moments = kind == Aggregate.Kind.STD || kind == Aggregate.Kind.VAR;
    this.sums = kind == Aggregate.Kind.SUM || kind == Aggregate.Kind.MEAN;
    this.mins = kind == Aggregate.Kind.MIN || kind == Aggregate.Kind.ABS_MAX;
    this.maxes = kind == Aggregate.Kind.MAX || kind == Aggregate.Kind.ABS_MAX;
  }

  /**
   * Whether this accumulator reads {@code type}: signed integers, float32, float64, and 128-bit
   * decimals (as float64: DuckDB writes {@code i * 0.5} as a decimal).
   */
  static boolean readable(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return i.getIsSigned();
    }
    if (type instanceof ArrowType.Decimal d) {
      return d.getBitWidth() == 128;
    }
    return type instanceof ArrowType.FloatingPoint f
        && f.getPrecision() != FloatingPointPrecision.HALF;
  }

  @Override
  void grow(int groups) {
    if (groups <= count.length) {
      return;
    }
    int n = capacity(count.length, groups);
    count = Arrays.copyOf(count, n);
    nulls = Arrays.copyOf(nulls, n);
    if (integral) {
      lsum = sums ? Arrays.copyOf(lsum, n) : lsum;
      lmin = mins ? Arrays.copyOf(lmin, n) : lmin;
      lmax = maxes ? Arrays.copyOf(lmax, n) : lmax;
    } else {
      dsum = sums ? Arrays.copyOf(dsum, n) : dsum;
      dmin = mins ? Arrays.copyOf(dmin, n) : dmin;
      dmax = maxes ? Arrays.copyOf(dmax, n) : dmax;
    }
    if (moments) {
      mean = Arrays.copyOf(mean, n);
      m2 = Arrays.copyOf(m2, n);
    }
  }

  @Override
  void accumulate(Block block, int[] groupOf, Account scratch) {
    FieldVector v = block.vector(column);
    int rows = block.rowCount();
    if (!(v instanceof BaseFixedWidthVector)) {
      // A column null in every row of this block (Arrow's null type).
      for (int i = 0; i < rows; i++) {
        nulls[groupOf[i]]++;
      }
      return;
    }
    ArrowBuf data = v.getDataBuffer();
    ArrowBuf validity = v.getValidityBuffer();
    boolean mayBeNull = v.getNullCount() > 0;
    int width = ((BaseFixedWidthVector) v).getTypeWidth();
    if (integral) {
      for (int i = 0; i < rows; i++) {
        int g = groupOf[i];
        if (mayBeNull && BitVectorHelper.get(validity, i) == 0) {
          nulls[g]++;
          continue;
        }
        long x = switch (width) {
          case 8 -> data.getLong(8L * i);
          case 4 -> data.getInt(4L * i);
          case 2 -> data.getShort(2L * i);
          default -> data.getByte(i);
        };
        addLong(g, x);
      }
    } else if (!mayBeNull && v instanceof Float8Vector) {
      // The common case resolved once: no nulls, doubles read straight from the data buffer.
      long address = data.memoryAddress();
      for (int i = 0; i < rows; i++) {
        int g = groupOf[i];
        double x = Double.longBitsToDouble(MemoryUtil.getLong(address + 8L * i));
        if (x != x) { // NaN counts as a null, as in Ray Data
          nulls[g]++;
          continue;
        }
        addDouble(g, x);
      }
    } else {
      for (int i = 0; i < rows; i++) {
        int g = groupOf[i];
        if (mayBeNull && BitVectorHelper.get(validity, i) == 0) {
          nulls[g]++;
          continue;
        }
        double x = v instanceof DecimalVector d ? d.getObjectNotNull(i).doubleValue()
            : width == 8 ? data.getDouble(8L * i) : data.getFloat(4L * i);
        if (x != x) { // NaN counts as a null, as in Ray Data
          nulls[g]++;
          continue;
        }
        addDouble(g, x);
      }
    }
  }

  /**
   * A global {@code sum} or {@code mean} of a column without nulls: the running count and sum in
   * locals (an array slot per row made each add wait on the last store), added in the same order
   * so the double sum is the same.
   */
  @Override
  void accumulateAll(Block block, int[] zeros, Account scratch) {
    FieldVector v = block.vector(column);
    if (!sums || mins || maxes || moments || v.getNullCount() > 0
        || !(v instanceof Float8Vector || v instanceof BigIntVector)) {
      accumulate(block, zeros, scratch);
      return;
    }
    int rows = block.rowCount();
    long address = v.getDataBuffer().memoryAddress();
    long n = count[0];
    if (integral) {
      long sum = lsum[0];
      for (int i = 0; i < rows; i++) {
        try {
          sum = Math.addExact(sum, MemoryUtil.getLong(address + 8L * i));
        } catch (ArithmeticException e) {
          throw overflow();
        }
      }
      lsum[0] = sum;
      count[0] = n + rows;
      return;
    }
    double sum = dsum[0];
    long nan = 0;
    for (int i = 0; i < rows; i++) {
      double x = Double.longBitsToDouble(MemoryUtil.getLong(address + 8L * i));
      if (x != x) { // NaN counts as a null, as in Ray Data
        nan++;
      } else {
        sum += x;
      }
    }
    dsum[0] = sum;
    count[0] = n + rows - nan;
    nulls[0] += nan;
  }

  /** Group 0 as {@code states} say; their type (integral or not) is this accumulator's. */
  @Override
  void load(long rows, ValueStates states) {
    if (moments || states.integral() != integral) {
      throw new IllegalStateException(kind + " of " + column + " is not made from these states");
    }
    if (sums && states.sumOverflows()) {
      throw overflow();
    }
    count[0] = states.values();
    nulls[0] = states.nulls();
    if (integral) {
      if (sums) {
        lsum[0] = states.longSum();
      }
      if (mins) {
        lmin[0] = states.longMin();
      }
      if (maxes) {
        lmax[0] = states.longMax();
      }
    } else {
      if (sums) {
        dsum[0] = states.doubleSum();
      }
      if (mins) {
        dmin[0] = states.doubleMin();
      }
      if (maxes) {
        dmax[0] = states.doubleMax();
      }
    }
  }

  private void addLong(int g, long x) {
    long n = ++count[g];
    if (mins) {
      lmin[g] = n == 1 ? x : Math.min(lmin[g], x);
    }
    if (maxes) {
      lmax[g] = n == 1 ? x : Math.max(lmax[g], x);
    }
    if (sums) {
      try {
        lsum[g] = Math.addExact(lsum[g], x);
      } catch (ArithmeticException e) {
        throw overflow();
      }
    }
    if (moments) {
      welford(g, n, x);
    }
  }

  private void addDouble(int g, double x) {
    long n = ++count[g];
    if (mins) {
      dmin[g] = n == 1 ? x : Math.min(dmin[g], x);
    }
    if (maxes) {
      dmax[g] = n == 1 ? x : Math.max(dmax[g], x);
    }
    if (sums) {
      dsum[g] += x;
    }
    if (moments) {
      welford(g, n, x);
    }
  }

  private void welford(int g, long n, double x) {
    double d = x - mean[g];
    mean[g] += d / n;
    m2[g] += d * (x - mean[g]);
  }

  @Override
  int stateColumns() {
    return 2 + (sums ? 1 : 0) + (mins ? 1 : 0) + (maxes ? 1 : 0) + (moments ? 2 : 0);
  }

  /** Count, nulls, then those of sum, min, max, mean and m2 the kind needs. */
  @Override
  List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator) {
    int n = groups.length;
    List<FieldVector> out = new ArrayList<>();
    try {
      BigIntVector c = longs(prefix + "count", allocator, n);
      out.add(c);
      BigIntVector nl = longs(prefix + "nulls", allocator, n);
      out.add(nl);
      for (int i = 0; i < n; i++) {
        c.set(i, count[groups[i]]);
        nl.set(i, nulls[groups[i]]);
      }
      if (sums) {
        out.add(integral ? longStates(prefix + "sum", lsum, groups, allocator)
            : doubleStates(prefix + "sum", dsum, groups, allocator));
      }
      if (mins) {
        out.add(integral ? longStates(prefix + "min", lmin, groups, allocator)
            : doubleStates(prefix + "min", dmin, groups, allocator));
      }
      if (maxes) {
        out.add(integral ? longStates(prefix + "max", lmax, groups, allocator)
            : doubleStates(prefix + "max", dmax, groups, allocator));
      }
      if (moments) {
        out.add(doubleStates(prefix + "mean", mean, groups, allocator));
        out.add(doubleStates(prefix + "m2", m2, groups, allocator));
      }
    } catch (RuntimeException e) {
      out.forEach(FieldVector::close);
      throw e;
    }
    return out;
  }

  private static BigIntVector longStates(String name, long[] states, int[] groups,
      BufferAllocator allocator) {
    BigIntVector v = longs(name, allocator, groups.length);
    for (int i = 0; i < groups.length; i++) {
      v.set(i, states[groups[i]]);
    }
    return v;
  }

  private static Float8Vector doubleStates(String name, double[] states, int[] groups,
      BufferAllocator allocator) {
    Float8Vector v = doubles(name, allocator, groups.length);
    for (int i = 0; i < groups.length; i++) {
      v.set(i, states[groups[i]]);
    }
    return v;
  }

  @Override
  void merge(List<FieldVector> states, int[] groupOf, int rows) {
    BigIntVector c = (BigIntVector) states.get(0);
    BigIntVector nl = (BigIntVector) states.get(1);
    int at = 2;
    FieldVector sum = sums ? states.get(at++) : null;
    FieldVector min = mins ? states.get(at++) : null;
    FieldVector max = maxes ? states.get(at++) : null;
    Float8Vector mn = moments ? (Float8Vector) states.get(at++) : null;
    Float8Vector sq = moments ? (Float8Vector) states.get(at) : null;
    for (int i = 0; i < rows; i++) {
      int g = groupOf[i];
      nulls[g] += nl.get(i);
      long nb = c.get(i);
      if (nb == 0) {
        continue;
      }
      long na = count[g];
      long n = na + nb;
      if (integral) {
        if (sums) {
          try {
            lsum[g] = Math.addExact(lsum[g], ((BigIntVector) sum).get(i));
          } catch (ArithmeticException e) {
            throw overflow();
          }
        }
        if (mins) {
          long lo = ((BigIntVector) min).get(i);
          lmin[g] = na == 0 ? lo : Math.min(lmin[g], lo);
        }
        if (maxes) {
          long hi = ((BigIntVector) max).get(i);
          lmax[g] = na == 0 ? hi : Math.max(lmax[g], hi);
        }
      } else {
        if (sums) {
          dsum[g] += ((Float8Vector) sum).get(i);
        }
        if (mins) {
          double lo = ((Float8Vector) min).get(i);
          dmin[g] = na == 0 ? lo : Math.min(dmin[g], lo);
        }
        if (maxes) {
          double hi = ((Float8Vector) max).get(i);
          dmax[g] = na == 0 ? hi : Math.max(dmax[g], hi);
        }
      }
      if (moments) {
        double mb = mn.get(i);
        double d = mb - mean[g];
        mean[g] += d * nb / n;
        m2[g] += sq.get(i) + d * d * ((double) na * nb / n);
      }
      count[g] = n;
    }
  }

  /** The error of an int64 sum past the long range. */
  private ColumnException overflow() {
    return new ColumnException(column, "the sum of an int64 group overflows; cast to double");
  }

  @Override
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
    if (untyped && kind != Aggregate.Kind.MEAN && !moments) {
      FieldVector out = new Field(name, FieldType.nullable(ArrowType.Null.INSTANCE), null)
          .createVector(allocator);
      out.setValueCount(groups.length);
      return out;
    }
    boolean longOut = integral && (kind == Aggregate.Kind.SUM || kind == Aggregate.Kind.MIN
        || kind == Aggregate.Kind.MAX || kind == Aggregate.Kind.ABS_MAX);
    FieldVector out = longOut ? longs(name, allocator, groups.length)
        : doubles(name, allocator, groups.length);
    for (int i = 0; i < groups.length; i++) {
      int g = groups[i];
      long n = count[g];
      boolean none = n == 0 || (!ignoreNulls && nulls[g] > 0);
      if (moments && n - ddof <= 0) {
        none = true;
      }
      if (none) {
        out.setNull(i);
      } else if (longOut) {
        ((BigIntVector) out).set(i, switch (kind) {
          case SUM -> lsum[g];
          case MIN -> lmin[g];
          case MAX -> lmax[g];
          default -> Math.max(Math.abs(lmin[g]), Math.abs(lmax[g]));
        });
      } else {
        ((Float8Vector) out).set(i, switch (kind) {
          case SUM -> dsum[g];
          case MIN -> dmin[g];
          case MAX -> dmax[g];
          case ABS_MAX -> Math.max(Math.abs(dmin[g]), Math.abs(dmax[g]));
          case MEAN -> (integral ? (double) lsum[g] : dsum[g]) / n;
          case VAR -> m2[g] / (n - ddof);
          default -> Math.sqrt(m2[g] / (n - ddof));
        });
      }
    }
    return out;
  }

  @Override
  long heapBytes() {
    return 8L * (count.length + nulls.length + lsum.length + lmin.length + lmax.length
        + dsum.length + dmin.length + dmax.length + mean.length + m2.length);
  }
}
