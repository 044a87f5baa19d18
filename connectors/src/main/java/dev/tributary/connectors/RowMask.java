package dev.tributary.connectors;

import dev.tributary.memory.Block;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.filter2.predicate.UserDefinedPredicate;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * A Parquet predicate evaluated over a block a column at a time into a bitmap of the rows it
 * keeps (bit {@code r % 64} of word {@code r / 64}): comparisons of an int32, int64, float or
 * double column (signed order, as Parquet compares them) with a value, and null tests, run as
 * tight loops over the vector's data and validity buffers; {@code and}, {@code or} and {@code not}
 * combine bitmaps a word at a time. Every other leaf ({@code in}, user-defined predicates,
 * strings, decimals, unsigned or narrowed integers) is tested row by row through {@code rows},
 * with the same semantics: a comparison with a null cell is false, {@code eq(c, null)} keeps the
 * nulls, {@code notEq(c, v)} keeps them too.
 */
final class RowMask implements FilterPredicate.Visitor<long[]> {
  /** Which outcomes of {@code compare(cell, value)} (bit 0: below, 1: equal, 2: above) keep. */
  private static final int LT = 0b001;
  private static final int LE = 0b011;
  private static final int GT = 0b100;
  private static final int GE = 0b110;
  private static final int EQ = 0b010;
  private static final int NE = 0b101;

  private final Block block;
  private final MessageType schema;
  private final Function<FilterPredicate, IntPredicate> rows;
  private final int count;
  private final int words;

  private RowMask(Block block, MessageType schema, Function<FilterPredicate, IntPredicate> rows) {
    this.block = block;
    this.schema = schema;
    this.rows = rows;
    this.count = block.rowCount();
    this.words = (count + 63) >>> 6;
  }

  /**
   * The rows of {@code block} {@code predicate} keeps, as a bitmap; {@code schema} is the Parquet
   * schema the block was decoded with (its columns' orders), {@code rows} tests a leaf row by row.
   */
  static long[] of(FilterPredicate predicate, Block block, MessageType schema,
      Function<FilterPredicate, IntPredicate> rows) {
    RowMask mask = new RowMask(block, schema, rows);
    long[] bits = predicate.accept(mask);
    mask.clearTail(bits);
    return bits;
  }

  /** The indexes of the set bits of {@code mask}, ascending. */
  static int[] indexes(long[] mask) {
    int n = 0;
    for (long w : mask) {
      n += Long.bitCount(w);
    }
    int[] out = new int[n];
    int at = 0;
    for (int w = 0; w < mask.length; w++) {
      long bits = mask[w];
      while (bits != 0) {
        out[at++] = (w << 6) + Long.numberOfTrailingZeros(bits);
        bits &= bits - 1;
      }
    }
    return out;
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.Eq<T> eq) {
    return eq.getValue() == null ? nulls(eq.getColumn(), true)
        : compare(eq, eq.getColumn(), eq.getValue(), EQ);
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.NotEq<T> notEq) {
    return notEq.getValue() == null ? nulls(notEq.getColumn(), false)
        : compare(notEq, notEq.getColumn(), notEq.getValue(), NE);
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.Lt<T> lt) {
    return compare(lt, lt.getColumn(), lt.getValue(), LT);
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.LtEq<T> ltEq) {
    return compare(ltEq, ltEq.getColumn(), ltEq.getValue(), LE);
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.Gt<T> gt) {
    return compare(gt, gt.getColumn(), gt.getValue(), GT);
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.GtEq<T> gtEq) {
    return compare(gtEq, gtEq.getColumn(), gtEq.getValue(), GE);
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.In<T> in) {
    return byRow(in);
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.NotIn<T> notIn) {
    return byRow(notIn);
  }

  @Override
  public <T extends Comparable<T>> long[] visit(Operators.Contains<T> contains) {
    return byRow(contains);
  }

  @Override
  public long[] visit(Operators.And and) {
    long[] l = and.getLeft().accept(this);
    long[] r = and.getRight().accept(this);
    for (int w = 0; w < words; w++) {
      l[w] &= r[w];
    }
    return l;
  }

  @Override
  public long[] visit(Operators.Or or) {
    long[] l = or.getLeft().accept(this);
    long[] r = or.getRight().accept(this);
    for (int w = 0; w < words; w++) {
      l[w] |= r[w];
    }
    return l;
  }

  @Override
  public long[] visit(Operators.Not not) {
    long[] inner = not.getPredicate().accept(this);
    for (int w = 0; w < words; w++) {
      inner[w] = ~inner[w];
    }
    clearTail(inner);
    return inner;
  }

  @Override
  public <T extends Comparable<T>, U extends UserDefinedPredicate<T>> long[] visit(
      Operators.UserDefined<T, U> udp) {
    return byRow(udp);
  }

  @Override
  public <T extends Comparable<T>, U extends UserDefinedPredicate<T>> long[] visit(
      Operators.LogicalNotUserDefined<T, U> udp) {
    return byRow(udp);
  }

  /** A leaf the loops below do not cover, tested row by row. */
  private long[] byRow(FilterPredicate leaf) {
    IntPredicate test = rows.apply(leaf);
    long[] out = new long[words];
    for (int r = 0; r < count; r++) {
      if (test.test(r)) {
        out[r >>> 6] |= 1L << r;
      }
    }
    return out;
  }

  /** {@code isNull}: the cleared validity bits; else the set ones. */
  private long[] nulls(Operators.Column<?> column, boolean isNull) {
    long[] valid = validity(block.vector(column.getColumnPath().toDotString()));
    if (isNull) {
      for (int w = 0; w < words; w++) {
        valid[w] = ~valid[w];
      }
    }
    return valid;
  }

  /**
   * The rows whose cell compares to {@code value} as {@code keep} says; a null cell is kept only
   * by {@code notEq}. Primitive columns in signed or floating order take a loop over their data
   * buffer, others the row-by-row test of {@code leaf}.
   */
  private long[] compare(FilterPredicate leaf, Operators.Column<?> column, Object value,
      int keep) {
    String name = column.getColumnPath().toDotString();
    FieldVector vector = block.vector(name);
    PrimitiveType type = schema.getType(name).asPrimitiveType();
    PrimitiveTypeName physical = type.getPrimitiveTypeName();
    // Parquet compares integers unsigned only when their logical type says so.
    boolean signed = !(type.getLogicalTypeAnnotation() instanceof IntLogicalTypeAnnotation i)
        || i.isSigned();
    long[] out;
    if ((vector instanceof IntVector || vector instanceof DateDayVector)
        && physical == PrimitiveTypeName.INT32 && signed && value instanceof Integer v) {
      out = ints(vector, v, keep);
    } else if ((vector instanceof BigIntVector || vector instanceof TimeStampVector)
        && physical == PrimitiveTypeName.INT64 && signed && value instanceof Long v) {
      out = longs(vector, v, keep);
    } else if (vector instanceof Float8Vector && physical == PrimitiveTypeName.DOUBLE
        && value instanceof Double v) {
      out = doubles(vector, v, keep);
    } else if (vector instanceof Float4Vector && physical == PrimitiveTypeName.FLOAT
        && value instanceof Float v) {
      out = floats(vector, v, keep);
    } else {
      return byRow(leaf);
    }
    if (vector.getNullCount() > 0) {
      long[] valid = validity(vector);
      for (int w = 0; w < words; w++) {
        out[w] = keep == NE ? out[w] | ~valid[w] : out[w] & valid[w];
      }
    }
    return out;
  }

  /**
   * Ints widened to long cannot overflow a difference, so each comparison is the sign bit of one
   * subtraction: the loop is chosen once per column, not once per cell as {@link #keeps} does.
   */
  private long[] ints(FieldVector vector, int value, int keep) {
    long data = vector.getDataBuffer().memoryAddress();
    long[] out = new long[words];
    // keep = LT, GT or EQ, or its complement (GE, LE, NE): flip the bits of the first three.
    int base = keep == GE ? LT : keep == LE ? GT : keep == NE ? EQ : keep;
    long flip = base == keep ? 0 : -1L;
    long v = value;
    for (int w = 0; w < words; w++) {
      long cells = data + ((long) w << 8);
      int n = Math.min(64, count - (w << 6));
      long bits = 0;
      if (base == LT) {
        for (int j = 0; j < n; j++) {
          bits |= ((MemoryUtil.getInt(cells + ((long) j << 2)) - v) >>> 63) << j;
        }
      } else if (base == GT) {
        for (int j = 0; j < n; j++) {
          bits |= ((v - MemoryUtil.getInt(cells + ((long) j << 2))) >>> 63) << j;
        }
      } else {
        for (int j = 0; j < n; j++) {
          long d = MemoryUtil.getInt(cells + ((long) j << 2)) - v;
          bits |= (((d | -d) >>> 63) ^ 1) << j;
        }
      }
      out[w] = bits ^ flip;
    }
    return out;
  }

  private long[] longs(FieldVector vector, long value, int keep) {
    long data = vector.getDataBuffer().memoryAddress();
    long[] out = new long[words];
    for (int w = 0; w < words; w++) {
      int from = w << 6;
      int n = Math.min(64, count - from);
      long bits = 0;
      for (int j = 0; j < n; j++) {
        bits |= keeps(MemoryUtil.getLong(data + ((long) (from + j) << 3)), value, keep) << j;
      }
      out[w] = bits;
    }
    return out;
  }

  private long[] doubles(FieldVector vector, double value, int keep) {
    long data = vector.getDataBuffer().memoryAddress();
    long key = orderKey(value);
    long[] out = new long[words];
    for (int w = 0; w < words; w++) {
      int from = w << 6;
      int n = Math.min(64, count - from);
      long bits = 0;
      for (int j = 0; j < n; j++) {
        double cell = Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) (from + j) << 3)));
        bits |= keeps(orderKey(cell), key, keep) << j;
      }
      out[w] = bits;
    }
    return out;
  }

  private long[] floats(FieldVector vector, float value, int keep) {
    long data = vector.getDataBuffer().memoryAddress();
    long key = orderKey(value);
    long[] out = new long[words];
    for (int w = 0; w < words; w++) {
      int from = w << 6;
      int n = Math.min(64, count - from);
      long bits = 0;
      for (int j = 0; j < n; j++) {
        float cell = Float.intBitsToFloat(MemoryUtil.getInt(data + ((long) (from + j) << 2)));
        bits |= keeps(orderKey(cell), key, keep) << j;
      }
      out[w] = bits;
    }
    return out;
  }

  /**
   * 1 when {@code keep} keeps the outcome of comparing {@code x} with {@code y}, else 0, without
   * a branch: a filter's outcomes are as unpredictable as its data.
   */
  private static long keeps(long x, long y, int keep) {
    return (keep >>> (1 + below(y, x) - below(x, y))) & 1;
  }

  /** 1 when {@code x < y} (signed), else 0, without a branch (Hacker's Delight 2-12). */
  private static int below(long x, long y) {
    long d = x - y;
    return (int) ((d ^ ((x ^ y) & (d ^ x))) >>> 63);
  }

  /**
   * A long ordered as {@link Double#compare} orders doubles, the order Parquet compares them in
   * (-0.0 below 0.0, every NaN equal and above all).
   */
  private static long orderKey(double v) {
    long bits = Double.doubleToLongBits(v);
    return bits ^ ((bits >> 63) & Long.MAX_VALUE);
  }

  /** An int ordered as {@link Float#compare} orders floats, widened. */
  private static long orderKey(float v) {
    int bits = Float.floatToIntBits(v);
    return bits ^ ((bits >> 31) & Integer.MAX_VALUE);
  }

  /** The vector's validity bits as words (all set when it has no validity buffer). */
  private long[] validity(FieldVector vector) {
    long[] out = new long[words];
    if (vector.getValidityBuffer() == null || vector.getValidityBuffer().capacity() == 0) {
      Arrays.fill(out, -1L);
      clearTail(out);
      return out;
    }
    long bitmap = vector.getValidityBuffer().memoryAddress();
    int bytes = (count + 7) >>> 3;
    for (int b = 0; b < bytes; b++) {
      out[b >>> 3] |= (MemoryUtil.getByte(bitmap + b) & 0xffL) << ((b & 7) << 3);
    }
    clearTail(out);
    return out;
  }

  /** Clears the bits past the last row. */
  private void clearTail(long[] mask) {
    int rest = count & 63;
    if (rest != 0) {
      mask[words - 1] &= (1L << rest) - 1;
    }
  }
}
