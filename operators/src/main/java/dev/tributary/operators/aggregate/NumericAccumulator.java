package dev.tributary.operators.aggregate;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * {@code sum}, {@code min}, {@code max}, {@code absMax}, {@code mean}, {@code std}, {@code var} of
 * a numeric column: per group the count of values, of nulls (NaN included), the sum (exact int64
 * for integer columns), min, max and, for the moments, the running mean and sum of squared
 * deviations (Welford, merged with Chan's formula). Values are read straight from the column's
 * data and validity buffers, the type resolved once per block.
 */
final class NumericAccumulator extends Accumulator {
  private final Aggregate.Kind kind;
  private final String column;
  private final boolean ignoreNulls;
  private final double ddof;
  /** Integer input: sums, min and max are exact longs. */
  private final boolean integral;
  private final boolean moments;
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

  NumericAccumulator(Aggregate aggregate, ArrowType type) {
    this.kind = aggregate.kind();
    this.column = aggregate.column();
    this.ignoreNulls = aggregate.ignoresNulls();
    this.ddof = aggregate.parameter();
    this.integral = type instanceof ArrowType.Int;
    this.moments = kind == Aggregate.Kind.STD || kind == Aggregate.Kind.VAR;
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
      lsum = Arrays.copyOf(lsum, n);
      lmin = Arrays.copyOf(lmin, n);
      lmax = Arrays.copyOf(lmax, n);
    } else {
      dsum = Arrays.copyOf(dsum, n);
      dmin = Arrays.copyOf(dmin, n);
      dmax = Arrays.copyOf(dmax, n);
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

  private void addLong(int g, long x) {
    long n = ++count[g];
    if (n == 1) {
      lmin[g] = x;
      lmax[g] = x;
    } else {
      lmin[g] = Math.min(lmin[g], x);
      lmax[g] = Math.max(lmax[g], x);
    }
    try {
      lsum[g] = Math.addExact(lsum[g], x);
    } catch (ArithmeticException e) {
      throw new ColumnException(column, "the sum of an int64 group overflows; cast to double");
    }
    if (moments) {
      welford(g, n, x);
    }
  }

  private void addDouble(int g, double x) {
    long n = ++count[g];
    if (n == 1) {
      dmin[g] = x;
      dmax[g] = x;
    } else {
      dmin[g] = Math.min(dmin[g], x);
      dmax[g] = Math.max(dmax[g], x);
    }
    dsum[g] += x;
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
    return 7;
  }

  @Override
  List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator) {
    int n = groups.length;
    BigIntVector c = longs(prefix + "count", allocator, n);
    BigIntVector nl = longs(prefix + "nulls", allocator, n);
    FieldVector sum = integral ? longs(prefix + "sum", allocator, n)
        : doubles(prefix + "sum", allocator, n);
    FieldVector min = integral ? longs(prefix + "min", allocator, n)
        : doubles(prefix + "min", allocator, n);
    FieldVector max = integral ? longs(prefix + "max", allocator, n)
        : doubles(prefix + "max", allocator, n);
    Float8Vector mn = doubles(prefix + "mean", allocator, n);
    Float8Vector sq = doubles(prefix + "m2", allocator, n);
    for (int i = 0; i < n; i++) {
      int g = groups[i];
      c.set(i, count[g]);
      nl.set(i, nulls[g]);
      if (integral) {
        ((BigIntVector) sum).set(i, lsum[g]);
        ((BigIntVector) min).set(i, lmin[g]);
        ((BigIntVector) max).set(i, lmax[g]);
      } else {
        ((Float8Vector) sum).set(i, dsum[g]);
        ((Float8Vector) min).set(i, dmin[g]);
        ((Float8Vector) max).set(i, dmax[g]);
      }
      mn.set(i, moments ? mean[g] : 0);
      sq.set(i, moments ? m2[g] : 0);
    }
    return List.of(c, nl, sum, min, max, mn, sq);
  }

  @Override
  void merge(List<FieldVector> states, int[] groupOf, int rows) {
    BigIntVector c = (BigIntVector) states.get(0);
    BigIntVector nl = (BigIntVector) states.get(1);
    Float8Vector mn = (Float8Vector) states.get(5);
    Float8Vector sq = (Float8Vector) states.get(6);
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
        long sb = ((BigIntVector) states.get(2)).get(i);
        long lo = ((BigIntVector) states.get(3)).get(i);
        long hi = ((BigIntVector) states.get(4)).get(i);
        try {
          lsum[g] = Math.addExact(lsum[g], sb);
        } catch (ArithmeticException e) {
          throw new ColumnException(column, "the sum of an int64 group overflows; cast to double");
        }
        lmin[g] = na == 0 ? lo : Math.min(lmin[g], lo);
        lmax[g] = na == 0 ? hi : Math.max(lmax[g], hi);
      } else {
        dsum[g] += ((Float8Vector) states.get(2)).get(i);
        double lo = ((Float8Vector) states.get(3)).get(i);
        double hi = ((Float8Vector) states.get(4)).get(i);
        dmin[g] = na == 0 ? lo : Math.min(dmin[g], lo);
        dmax[g] = na == 0 ? hi : Math.max(dmax[g], hi);
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

  @Override
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
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
    return 8L * count.length * (moments ? 7 : 5);
  }
}
