package dev.tributary.operators;

import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The rows of one or more key columns as normalised bytes, equal exactly when the keys are
 * equal (the columns of both sides of the same types): per column a null flag, then a
 * fixed-width value's bytes as Arrow stores them, a boolean as one byte, or a string's or
 * binary's length (four bytes) and bytes. Written from the columns' Arrow buffers without a
 * Java object per value ({@link #encode}), and written back into key vectors of the same types
 * ({@link #decode}). The kinds are resolved once per block. Floating-point keys are not
 * encoded ({@link #encodes}: NaN has many bit patterns and -0.0 equals 0.0 in SQL).
 */
public final class KeyBytes {
  private static final int FIXED = 0;
  private static final int BIT = 1;
  private static final int VAR = 2;
  private static final int LARGE_VAR = 3;
  private static final int NULL = 4;

  private final FieldVector[] vectors;
  private final int[] kinds;
  private final int[] widths;
  private final ArrowBuf[] validity;
  private final ArrowBuf[] data;
  private final ArrowBuf[] offsets;
  private final boolean[] mayBeNull;
  /** The last encoded row's bytes (grown as needed). */
  private byte[] row = new byte[64];

  /** The key columns {@code vectors}, each of a type that {@link #encodes} holds. */
  public KeyBytes(List<FieldVector> vectors) {
    this.vectors = vectors.toArray(FieldVector[]::new);
    int n = this.vectors.length;
    kinds = new int[n];
    widths = new int[n];
    validity = new ArrowBuf[n];
    data = new ArrowBuf[n];
    offsets = new ArrowBuf[n];
    mayBeNull = new boolean[n];
    for (int k = 0; k < n; k++) {
      FieldVector v = this.vectors[k];
      ArrowType type = v.getField().getType();
      if (!encodes(type)) {
        throw new IllegalArgumentException("key column " + v.getName() + " of type " + type
            + " has no normalised bytes");
      }
      kinds[k] = kind(v);
      if (kinds[k] == NULL) {
        continue;
      }
      validity[k] = v.getValidityBuffer();
      mayBeNull[k] = v.getNullCount() > 0;
      if (kinds[k] == FIXED) {
        widths[k] = ((BaseFixedWidthVector) v).getTypeWidth();
        data[k] = v.getDataBuffer();
      } else if (kinds[k] != BIT) {
        data[k] = v.getDataBuffer();
        offsets[k] = v.getOffsetBuffer();
      } else {
        data[k] = v.getDataBuffer();
      }
    }
  }

  private static int kind(FieldVector v) {
    if (v instanceof BitVector) {
      return BIT;
    }
    if (v instanceof BaseFixedWidthVector) {
      return FIXED;
    }
    if (v instanceof BaseVariableWidthVector) {
      return VAR;
    }
    if (v instanceof BaseLargeVariableWidthVector) {
      return LARGE_VAR;
    }
    return NULL;
  }

  /**
   * Whether columns of {@code type} have normalised bytes: integers, decimals, booleans, dates,
   * times, timestamps, durations, intervals, fixed-size binaries, strings and binaries (also
   * large), and Arrow's null type.
   */
  public static boolean encodes(ArrowType type) {
    return type instanceof ArrowType.Int || type instanceof ArrowType.Decimal
        || type instanceof ArrowType.Bool || type instanceof ArrowType.Date
        || type instanceof ArrowType.Time || type instanceof ArrowType.Timestamp
        || type instanceof ArrowType.Duration || type instanceof ArrowType.Interval
        || type instanceof ArrowType.FixedSizeBinary || type instanceof ArrowType.Utf8
        || type instanceof ArrowType.Binary || type instanceof ArrowType.LargeUtf8
        || type instanceof ArrowType.LargeBinary || type instanceof ArrowType.Null;
  }

  /** Whether key column {@code k} is null in row {@code i}. */
  public boolean isNull(int k, int i) {
    return kinds[k] == NULL || mayBeNull[k] && BitVectorHelper.get(validity[k], i) == 0;
  }

  /** Whether any key column is null in row {@code i}. */
  public boolean anyNull(int i) {
    for (int k = 0; k < kinds.length; k++) {
      if (isNull(k, i)) {
        return true;
      }
    }
    return false;
  }

  /** Encodes row {@code i} into {@link #bytes()}; returns its length. */
  public int encode(int i) {
    int at = 0;
    for (int k = 0; k < kinds.length; k++) {
      if (isNull(k, i)) {
        at = room(at, 1);
        row[at++] = 0;
        continue;
      }
      switch (kinds[k]) {
        case FIXED -> {
          int w = widths[k];
          at = room(at, 1 + w);
          row[at++] = 1;
          data[k].getBytes((long) i * w, row, at, w);
          at += w;
        }
        case BIT -> {
          at = room(at, 2);
          row[at++] = 1;
          row[at++] = (byte) BitVectorHelper.get(data[k], i);
        }
        default -> {
          long start;
          long end;
          if (kinds[k] == VAR) {
            start = offsets[k].getInt(4L * i);
            end = offsets[k].getInt(4L * i + 4);
          } else {
            start = offsets[k].getLong(8L * i);
            end = offsets[k].getLong(8L * i + 8);
          }
          int len = (int) (end - start);
          at = room(at, 5 + len);
          row[at++] = 1;
          row[at++] = (byte) len;
          row[at++] = (byte) (len >>> 8);
          row[at++] = (byte) (len >>> 16);
          row[at++] = (byte) (len >>> 24);
          data[k].getBytes(start, row, at, len);
          at += len;
        }
      }
    }
    return at;
  }

  private int room(int at, int more) {
    if (at + more > row.length) {
      row = Arrays.copyOf(row, Math.max(at + more, 2 * row.length));
    }
    return at;
  }

  /** The bytes of the last row {@link #encode}d (valid until the next). */
  public byte[] bytes() {
    return row;
  }

  /**
   * Writes the key that starts at {@code bytes[start]} into row {@code i} of {@code out} (key
   * vectors of the encoded columns' types, fixed-width ones allocated for row {@code i}, their
   * rows null until written).
   */
  public static void decode(byte[] bytes, int start, List<FieldVector> out, int i) {
    int at = start;
    for (FieldVector v : out) {
      if (bytes[at++] == 0) {
        if (v instanceof BaseVariableWidthVector || v instanceof BaseLargeVariableWidthVector) {
          v.setNull(i);
        }
        continue;
      }
      if (v instanceof BitVector bits) {
        bits.set(i, bytes[at++]);
      } else if (v instanceof BaseFixedWidthVector fixed) {
        int w = fixed.getTypeWidth();
        fixed.getDataBuffer().setBytes((long) i * w, bytes, at, w);
        BitVectorHelper.setBit(fixed.getValidityBuffer(), i);
        at += w;
      } else {
        int len = (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16
            | (bytes[at + 3] & 0xFF) << 24;
        at += 4;
        if (v instanceof BaseVariableWidthVector var) {
          var.setSafe(i, bytes, at, len);
        } else {
          ((BaseLargeVariableWidthVector) v).setSafe(i, bytes, at, len);
        }
        at += len;
      }
    }
  }
}
