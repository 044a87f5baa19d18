package dev.tributary.expr;

import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import java.util.List;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
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
    if (type != null && type.isTemporal()) {
      return Vec.ofLongs(type, temporal(v, rows, m), m, valid, type == ExprType.TIMESTAMP_TZ
          ? ((ArrowType.Timestamp) v.getField().getType()).getTimezone() : null);
    }
    if (v instanceof ListVector l) {
      ArrowBuf offsets = l.getOffsetBuffer();
      int[] off = new int[m + 1];
      for (int k = 0; k < m; k++) {
        int i = rows == null ? k : rows[k];
        off[k + 1] = off[k] + (m == 0 ? 0
            : offsets.getInt((i + 1) * 4L) - offsets.getInt(i * 4L));
      }
      int[] inner = new int[off[m]];
      for (int k = 0; k < m; k++) {
        int from = offsets.getInt((rows == null ? k : rows[k]) * 4L);
        for (int q = off[k]; q < off[k + 1]; q++) {
          inner[q] = from + q - off[k];
        }
      }
      return Vec.ofList(off, read(l.getDataVector(), inner, off[m]), m, valid);
    }
    if (v instanceof StructVector st) {
      List<FieldVector> kids = st.getChildrenFromFields();
      String[] names = new String[kids.size()];
      Vec[] children = new Vec[kids.size()];
      for (int c = 0; c < names.length; c++) {
        names[c] = kids.get(c).getName();
        children[c] = read(kids.get(c), rows, m);
      }
      return Vec.ofStruct(names, children, m, valid);
    }
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
      Vec x = Vec.ofDoubles(out, m, valid);
      x.float32 = true;
      return x;
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

  /**
   * Dates as days, timestamps as microseconds: the unit is resolved once, then one loop (a
   * nanosecond is floored to its microsecond, a millisecond date to its day).
   */
  private static long[] temporal(FieldVector v, int[] rows, int m) {
    ArrowBuf data = v.getDataBuffer();
    long[] out = new long[m];
    if (v instanceof DateDayVector) {
      for (int k = 0; k < m; k++) {
        out[k] = data.getInt((rows == null ? k : rows[k]) * 4L);
      }
      return out;
    }
    for (int k = 0; k < m; k++) {
      out[k] = data.getLong((rows == null ? k : rows[k]) * 8L);
    }
    if (v instanceof DateMilliVector) {
      for (int k = 0; k < m; k++) {
        out[k] = Math.floorDiv(out[k], 86_400_000L);
      }
      return out;
    }
    switch (((ArrowType.Timestamp) v.getField().getType()).getUnit()) {
      case SECOND -> {
        for (int k = 0; k < m; k++) {
          out[k] *= Civil.MICROS_PER_SECOND;
        }
      }
      case MILLISECOND -> {
        for (int k = 0; k < m; k++) {
          out[k] *= 1000;
        }
      }
      case NANOSECOND -> {
        for (int k = 0; k < m; k++) {
          out[k] = Math.floorDiv(out[k], 1000);
        }
      }
      default -> {
        // microseconds already
      }
    }
    return out;
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

  /** The field a computed column {@code x} is written with (as {@link Typing#normal}). */
  static Field field(Vec x, String name) {
    return switch (x.type) {
      case LIST -> new Field(name, FieldType.nullable(ExprType.LIST.arrowType()),
          List.of(field(x.child, ListVector.DATA_VECTOR_NAME)));
      case STRUCT -> {
        List<Field> kids = new java.util.ArrayList<>();
        for (int c = 0; c < x.names.length; c++) {
          kids.add(field(x.children[c], x.names[c]));
        }
        yield new Field(name, FieldType.nullable(ExprType.STRUCT.arrowType()), kids);
      }
      case TIMESTAMP_TZ -> Field.nullable(name,
          new ArrowType.Timestamp(TimeUnit.MICROSECOND, x.zone));
      default -> Field.nullable(name, x.type.arrowType());
    };
  }

  /** A new vector named {@code name} in {@code allocator} holding {@code x}. */
  static FieldVector write(Vec x, String name, BufferAllocator allocator) {
    FieldVector v = field(x, name).createVector(allocator);
    try {
      int n = x.n;
      switch (x.type) {
        case INT64, TIMESTAMP, TIMESTAMP_TZ -> {
          BaseFixedWidthVector b = (BaseFixedWidthVector) v;
          b.allocateNew(n);
          b.getDataBuffer().nioBuffer(0, n * 8).order(ORDER).asLongBuffer().put(x.longs, 0, n);
        }
        case DATE -> {
          DateDayVector d = (DateDayVector) v;
          d.allocateNew(n);
          ArrowBuf data = d.getDataBuffer();
          for (int i = 0; i < n; i++) {
            data.setInt(i * 4L, (int) x.longs[i]);
          }
        }
        case LIST -> {
          ListVector l = (ListVector) v;
          l.setInitialCapacity(n);
          l.allocateNew();
          try (FieldVector data = write(x.child, ListVector.DATA_VECTOR_NAME, allocator)) {
            data.makeTransferPair(l.getDataVector()).transfer();
          }
          l.getOffsetBuffer().nioBuffer(0, (n + 1) * 4).order(ORDER).asIntBuffer()
              .put(x.offsets, 0, n + 1);
          l.setLastSet(n - 1);
        }
        case STRUCT -> {
          StructVector st = (StructVector) v;
          st.setInitialCapacity(n);
          st.allocateNew();
          List<FieldVector> kids = st.getChildrenFromFields();
          for (int c = 0; c < kids.size(); c++) {
            try (FieldVector data = write(x.children[c], x.names[c], allocator)) {
              data.makeTransferPair(kids.get(c)).transfer();
            }
          }
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
