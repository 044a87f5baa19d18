package dev.tributary.expr;

import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Moves columns between Arrow vectors and {@link Vec}s: bulk copies of the data buffers where the
 * layout is the same (int64, float64), a widening loop otherwise, and only the selected rows when
 * a filter already ran.
 */
final class ArrowColumns {
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  private ArrowColumns() {}

  /** The rows {@code rows[0..m)} of {@code v} (all {@code m} rows when {@code rows} is null). */
  static Vec read(FieldVector v, int[] rows, int m) {
    long[] valid = readValidity(v, rows, m);
    ExprType type = ExprType.of(v.getField().getType());
    if (v instanceof BigIntVector b && rows == null) {
      long[] out = new long[m];
      b.getDataBuffer().nioBuffer(0, m * 8).order(ORDER).asLongBuffer().get(out);
      return Vec.ofLongs(out, m, valid);
    }
    if (v instanceof Float8Vector f && rows == null) {
      double[] out = new double[m];
      f.getDataBuffer().nioBuffer(0, m * 8).order(ORDER).asDoubleBuffer().get(out);
      return Vec.ofDoubles(out, m, valid);
    }
    if (v instanceof BigIntVector b) {
      ArrowBuf data = b.getDataBuffer();
      long[] out = new long[m];
      for (int k = 0; k < m; k++) {
        out[k] = data.getLong(rows[k] * 8L);
      }
      return Vec.ofLongs(out, m, valid);
    }
    if (v instanceof Float8Vector f) {
      ArrowBuf data = f.getDataBuffer();
      double[] out = new double[m];
      for (int k = 0; k < m; k++) {
        out[k] = data.getDouble(rows[k] * 8L);
      }
      return Vec.ofDoubles(out, m, valid);
    }
    if (v instanceof Float4Vector f) {
      ArrowBuf data = f.getDataBuffer();
      double[] out = new double[m];
      for (int k = 0; k < m; k++) {
        out[k] = data.getFloat((rows == null ? k : rows[k]) * 4L);
      }
      return Vec.ofDoubles(out, m, valid);
    }
    if (v instanceof DecimalVector d) {
      double[] out = new double[m];
      for (int k = 0; k < m; k++) {
        int i = rows == null ? k : rows[k];
        out[k] = d.isNull(i) ? 0 : d.getObjectNotNull(i).doubleValue();
      }
      return Vec.ofDoubles(out, m, valid);
    }
    if (v instanceof BaseIntVector ints && type == ExprType.INT64) {
      long[] out = new long[m];
      for (int k = 0; k < m; k++) {
        int i = rows == null ? k : rows[k];
        out[k] = v.isNull(i) ? 0 : ints.getValueAsLong(i);
      }
      return Vec.ofLongs(out, m, valid);
    }
    if (v instanceof BitVector b) {
      long[] bits = rows == null ? bitmap(b.getDataBuffer(), m) : new long[Vec.words(m)];
      if (rows != null) {
        ArrowBuf data = b.getDataBuffer();
        for (int k = 0; k < m; k++) {
          if (((data.getByte(rows[k] >>> 3) >>> (rows[k] & 7)) & 1) != 0) {
            Vec.set(bits, k);
          }
        }
      }
      return Vec.ofBits(bits, m, valid);
    }
    if (v instanceof VarCharVector s) {
      ArrowBuf offsets = s.getOffsetBuffer();
      ArrowBuf data = s.getDataBuffer();
      int[] off = new int[m + 1];
      if (rows == null) {
        int base = m == 0 ? 0 : offsets.getInt(0);
        for (int k = 0; k <= m; k++) {
          off[k] = m == 0 ? 0 : offsets.getInt(k * 4L) - base;
        }
        byte[] out = new byte[off[m]];
        data.getBytes(base, out, 0, off[m]);
        return Vec.ofStrings(out, off, m, valid);
      }
      for (int k = 0; k < m; k++) {
        int i = rows[k];
        off[k + 1] = off[k] + offsets.getInt((i + 1) * 4L) - offsets.getInt(i * 4L);
      }
      byte[] out = new byte[off[m]];
      for (int k = 0; k < m; k++) {
        data.getBytes(offsets.getInt(rows[k] * 4L), out, off[k], off[k + 1] - off[k]);
      }
      return Vec.ofStrings(out, off, m, valid);
    }
    throw new IllegalStateException("unreadable vector " + v.getField());
  }

  private static long[] readValidity(FieldVector v, int[] rows, int m) {
    if (v.getNullCount() == 0) {
      return null;
    }
    if (rows == null) {
      return bitmap(v.getValidityBuffer(), m);
    }
    long[] w = new long[Vec.words(m)];
    for (int k = 0; k < m; k++) {
      if (!v.isNull(rows[k])) {
        Vec.set(w, k);
      }
    }
    return w;
  }

  /** The first {@code n} bits of an Arrow bitmap as words. */
  private static long[] bitmap(ArrowBuf buf, int n) {
    long[] w = new long[Vec.words(n)];
    int bytes = (n + 7) >>> 3;
    for (int j = 0; j < bytes; j++) {
      w[j >>> 3] |= (buf.getByte(j) & 0xFFL) << ((j & 7) << 3);
    }
    Vec.trim(w, n);
    return w;
  }

  private static void writeBitmap(ArrowBuf buf, long[] w, int n) {
    int bytes = (n + 7) >>> 3;
    for (int j = 0; j < bytes; j++) {
      buf.setByte(j, (byte) (w[j >>> 3] >>> ((j & 7) << 3)));
    }
  }

  /** A new vector named {@code name} in {@code allocator} holding {@code x}. */
  static FieldVector write(Vec x, String name, BufferAllocator allocator) {
    Field field = new Field(name, FieldType.nullable(x.type.arrowType()), null);
    FieldVector v = field.createVector(allocator);
    try {
      int n = x.n;
      switch (x.type) {
        case INT64 -> {
          BigIntVector b = (BigIntVector) v;
          b.allocateNew(n);
          b.getDataBuffer().nioBuffer(0, n * 8).order(ORDER).asLongBuffer().put(x.longs, 0, n);
        }
        case FLOAT64 -> {
          Float8Vector f = (Float8Vector) v;
          f.allocateNew(n);
          f.getDataBuffer().nioBuffer(0, n * 8).order(ORDER).asDoubleBuffer()
              .put(x.doubles, 0, n);
        }
        case BOOLEAN -> {
          BitVector b = (BitVector) v;
          b.allocateNew(n);
          writeBitmap(b.getDataBuffer(), x.bits, n);
        }
        default -> {
          VarCharVector s = (VarCharVector) v;
          s.allocateNew(Math.max(1, x.offsets[n]), n);
          s.getOffsetBuffer().nioBuffer(0, (n + 1) * 4).order(ORDER).asIntBuffer()
              .put(x.offsets, 0, n + 1);
          s.getDataBuffer().setBytes(0, x.bytes, 0, x.offsets[n]);
          s.setLastSet(n - 1);
        }
      }
      writeBitmap(v.getValidityBuffer(), x.valid == null ? Vec.ones(n) : x.valid, n);
      v.setValueCount(n);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }
}
