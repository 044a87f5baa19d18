package dev.tributary.operators;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * A key column whose values are integers underneath (int8..int64 signed or not, date, time,
 * timestamp, duration), read as {@code long}s straight from its data buffer: the vector's width
 * resolved once per block, then a tight loop of {@link #isNull} and {@link #get}. Two values are
 * equal exactly when their longs are, so a hash table of longs groups and joins them as the
 * column's own values would. A column of Arrow's null type (null in every row) reads as all null.
 */
public final class LongKeyColumn {
  private final ArrowBuf data;
  private final ArrowBuf validity;
  private final int width;
  private final boolean mayBeNull;
  private final boolean allNull;

  /** Resolves {@code vector} (a type {@link #holds} accepts, or Arrow's null type). */
  public LongKeyColumn(FieldVector vector) {
    if (vector instanceof BaseFixedWidthVector f) {
      data = f.getDataBuffer();
      validity = f.getValidityBuffer();
      width = f.getTypeWidth();
      mayBeNull = f.getNullCount() > 0;
      allNull = false;
    } else if (vector.getField().getType() instanceof ArrowType.Null) {
      data = null;
      validity = null;
      width = 0;
      mayBeNull = true;
      allNull = true;
    } else {
      throw new IllegalArgumentException("not an integer-like key column: " + vector.getField());
    }
  }

  /** Whether a key of {@code type} is read as longs. */
  public static boolean holds(ArrowType type) {
    return type instanceof ArrowType.Int || type instanceof ArrowType.Date
        || type instanceof ArrowType.Timestamp || type instanceof ArrowType.Time
        || type instanceof ArrowType.Duration;
  }

  /** Whether row {@code i} is null. */
  public boolean isNull(int i) {
    return allNull || mayBeNull && BitVectorHelper.get(validity, i) == 0;
  }

  /** The value of non-null row {@code i}. */
  public long get(int i) {
    return switch (width) {
      case 8 -> data.getLong(8L * i);
      case 4 -> data.getInt(4L * i);
      case 2 -> data.getShort(2L * i);
      default -> data.getByte(i);
    };
  }

  /** Writes {@code value} as row {@code i} of {@code vector} (allocated, of this key's type). */
  public static void set(BaseFixedWidthVector vector, int i, long value) {
    ArrowBuf out = vector.getDataBuffer();
    switch (vector.getTypeWidth()) {
      case 8 -> out.setLong(8L * i, value);
      case 4 -> out.setInt(4L * i, (int) value);
      case 2 -> out.setShort(2L * i, (short) value);
      default -> out.setByte(i, (byte) value);
    }
    BitVectorHelper.setBit(vector.getValidityBuffer(), i);
  }
}
