package dev.tributary.connectors;

import dev.tributary.memory.ColumnException;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.NullVector;

/**
 * What a read found in one numeric column over the rows it kept, without handing those rows on
 * ({@link ParquetSource#summarize}): how many values and how many nulls (NaN counted as a null,
 * as aggregations count it), their sum, and when asked their smallest and largest value. An
 * integer column's values are summed exactly as longs ({@link #sumOverflows()} says when the
 * sum left int64, which only a caller that wants the sum treats as an error); a floating
 * column's as doubles, in row order within a row group, the row groups' sums then added in
 * reading order. Minimum and maximum compare as {@link Math#min(double, double)} does.
 *
 * <p>Mutable while a read fills it; what {@code summarize} answers is not changed after.
 */
public final class ColumnSummary {
  private final String column;
  private final boolean integral;
  private final boolean range;
  private long values;
  private long nulls;
  private long longSum;
  private boolean overflow;
  private double doubleSum;
  private long longMin;
  private long longMax;
  private double doubleMin;
  private double doubleMax;

  private ColumnSummary(String column, boolean integral, boolean range) {
    this.column = column;
    this.integral = integral;
    this.range = range;
  }

  /**
   * An empty summary of {@code column}, an integer column ({@code integral}: int8 to int64) or a
   * floating one (float32, float64), keeping its minimum and maximum when {@code range}: what
   * {@link ParquetSource#summarize} is asked for.
   */
  public static ColumnSummary of(String column, boolean integral, boolean range) {
    return new ColumnSummary(column, integral, range);
  }

  /** An empty summary asking what this one asks. */
  ColumnSummary empty() {
    return new ColumnSummary(column, integral, range);
  }

  /** The column. */
  public String column() {
    return column;
  }

  /** Whether the column is an integer one (sums, minimum and maximum are longs). */
  public boolean integral() {
    return integral;
  }

  /** Whether the minimum and maximum are kept. */
  public boolean range() {
    return range;
  }

  /** Values seen: neither null nor NaN. */
  public long values() {
    return values;
  }

  /** Nulls seen, NaN included. */
  public long nulls() {
    return nulls;
  }

  /** The exact sum of an integer column's values (meaningless once {@link #sumOverflows()}). */
  public long longSum() {
    return longSum;
  }

  /** Whether an integer column's sum went beyond int64 (then {@link #longSum()} is not it). */
  public boolean sumOverflows() {
    return overflow;
  }

  /** The sum of a floating column's values. */
  public double doubleSum() {
    return doubleSum;
  }

  /** The smallest value of an integer column, when {@link #values()} is positive. */
  public long longMin() {
    return longMin;
  }

  /** The largest value of an integer column, when {@link #values()} is positive. */
  public long longMax() {
    return longMax;
  }

  /** The smallest value of a floating column, when {@link #values()} is positive. */
  public double doubleMin() {
    return doubleMin;
  }

  /** The largest value of a floating column, when {@link #values()} is positive. */
  public double doubleMax() {
    return doubleMax;
  }

  void addNulls(long n) {
    nulls += n;
  }

  /**
   * Adds {@code count} values of an integer column, {@code raw[0, count)}: one tight loop for the
   * sum, another for the range when it is kept.
   */
  void addLongs(long[] raw, int count) {
    if (count == 0) {
      return;
    }
    if (!integral) {
      throw new ColumnException(column, "is summed as a floating column but holds integers");
    }
    if (!overflow) {
      long sum = longSum;
      try {
        for (int i = 0; i < count; i++) {
          sum = Math.addExact(sum, raw[i]);
        }
        longSum = sum;
      } catch (ArithmeticException e) {
        overflow = true;
      }
    }
    if (range) {
      long lo = values == 0 ? raw[0] : longMin;
      long hi = values == 0 ? raw[0] : longMax;
      for (int i = 0; i < count; i++) {
        lo = Math.min(lo, raw[i]);
        hi = Math.max(hi, raw[i]);
      }
      longMin = lo;
      longMax = hi;
    }
    values += count;
  }

  /**
   * Adds {@code count} values of a floating column given as the raw bits of doubles, {@code
   * raw[0, count)}; NaN counts as a null. The sum adds them in order.
   */
  void addDoubleBits(long[] raw, int count) {
    if (integral) {
      throw new ColumnException(column, "is summed as an integer column but holds floats");
    }
    double sum = doubleSum;
    int nan = 0;
    for (int i = 0; i < count; i++) {
      double x = Double.longBitsToDouble(raw[i]);
      if (x != x) {
        nan++;
      } else {
        sum += x;
      }
    }
    doubleSum = sum;
    if (range) {
      double lo = doubleMin;
      double hi = doubleMax;
      long seen = values;
      for (int i = 0; i < count; i++) {
        double x = Double.longBitsToDouble(raw[i]);
        if (x == x) {
          lo = seen == 0 ? x : Math.min(lo, x);
          hi = seen == 0 ? x : Math.max(hi, x);
          seen++;
        }
      }
      doubleMin = lo;
      doubleMax = hi;
    }
    values += count - nan;
    nulls += nan;
  }

  /**
   * Sets the sum of a floating column whose range is not kept to {@code sum}, {@link
   * #doubleSum()} with {@code values} more values added to it in order, {@code nans} NaN skipped.
   */
  void addDoubleSum(double sum, long values, long nans) {
    if (integral || range) {
      throw new IllegalStateException(column + ": a sum alone of a floating column only");
    }
    doubleSum = sum;
    this.values += values;
    nulls += nans;
  }

  /**
   * Adds the values of {@code vector}'s first {@code rows} slots whose bit is set in {@code mask}
   * (bit {@code r % 64} of word {@code r / 64}; null: every slot): a decoded column, where no
   * page-level path applies.
   *
   * @throws ColumnException if the vector is not of a numeric type summed as this one is
   */
  void addVector(FieldVector vector, int rows, long[] mask) {
    if (vector instanceof NullVector) {
      long n = 0;
      for (int r = 0; r < rows; r++) {
        n += kept(mask, r) ? 1 : 0;
      }
      nulls += n;
      return;
    }
    boolean ints = vector instanceof BaseIntVector;
    if (!ints && !(vector instanceof Float8Vector) && !(vector instanceof Float4Vector)) {
      throw new ColumnException(column, "is summed but is " + vector.getField().getType());
    }
    long[] raw = new long[Math.min(rows, 4096)];
    int count = 0;
    for (int r = 0; r < rows; r++) {
      if (!kept(mask, r)) {
        continue;
      }
      if (vector.isNull(r)) {
        nulls++;
        continue;
      }
      raw[count++] = ints ? ((BaseIntVector) vector).getValueAsLong(r)
          : Double.doubleToRawLongBits(vector instanceof Float8Vector d ? d.get(r)
              : ((Float4Vector) vector).get(r));
      if (count == raw.length) {
        add(raw, count, ints);
        count = 0;
      }
    }
    add(raw, count, ints);
  }

  private void add(long[] raw, int count, boolean ints) {
    if (ints) {
      addLongs(raw, count);
    } else {
      addDoubleBits(raw, count);
    }
  }

  private static boolean kept(long[] mask, int row) {
    return mask == null || (mask[row >>> 6] & (1L << row)) != 0;
  }

  /** Adds {@code other}'s values, as if its rows came after this one's. */
  void merge(ColumnSummary other) {
    nulls += other.nulls;
    if (other.values == 0) {
      return;
    }
    if (integral) {
      if (!overflow) {
        try {
          longSum = Math.addExact(longSum, other.longSum);
        } catch (ArithmeticException e) {
          overflow = true;
        }
      }
      overflow |= other.overflow;
      longMin = values == 0 ? other.longMin : Math.min(longMin, other.longMin);
      longMax = values == 0 ? other.longMax : Math.max(longMax, other.longMax);
    } else {
      doubleSum += other.doubleSum;
      doubleMin = values == 0 ? other.doubleMin : Math.min(doubleMin, other.doubleMin);
      doubleMax = values == 0 ? other.doubleMax : Math.max(doubleMax, other.doubleMax);
    }
    values += other.values;
  }

  @Override
  public String toString() {
    return column + ": " + values + " values, " + nulls + " nulls, sum "
        + (integral ? overflow ? "overflows" : String.valueOf(longSum) : String.valueOf(doubleSum))
        + (range && values > 0 ? ", range [" + (integral ? longMin + ", " + longMax
            : doubleMin + ", " + doubleMax) + "]" : "");
  }
}
