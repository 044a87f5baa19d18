package dev.tributary.connectors;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.io.api.Binary;

/**
 * Stores one decoded Parquet value of each physical type into the Arrow vector its column reads
 * as (see {@link ParquetSchemas}), growing the vector as needed.
 */
final class ParquetValues {
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  private ParquetValues() {}

  static void putInt(FieldVector vector, int index, int value) {
    if (vector instanceof IntVector v) {
      v.setSafe(index, value);
    } else if (vector instanceof DateDayVector v) {
      v.setSafe(index, value);
    } else if (vector instanceof SmallIntVector v) {
      v.setSafe(index, value);
    } else if (vector instanceof TinyIntVector v) {
      v.setSafe(index, value);
    } else if (vector instanceof DecimalVector v) {
      v.setSafe(index, (long) value);
    } else if (vector instanceof BigIntVector v) {
      v.setSafe(index, Integer.toUnsignedLong(value)); // uint32
    } else {
      throw mismatch(vector, "INT32");
    }
  }

  static void putLong(FieldVector vector, int index, long value) {
    if (vector instanceof BigIntVector v) {
      v.setSafe(index, value);
    } else if (vector instanceof TimeStampVector v) {
      v.setSafe(index, value);
    } else if (vector instanceof DecimalVector v) {
      v.setSafe(index, value);
    } else {
      throw mismatch(vector, "INT64");
    }
  }

  static void putDouble(FieldVector vector, int index, double value) {
    if (vector instanceof Float8Vector v) {
      v.setSafe(index, value);
    } else {
      throw mismatch(vector, "DOUBLE");
    }
  }

  static void putFloat(FieldVector vector, int index, float value) {
    if (vector instanceof Float4Vector v) {
      v.setSafe(index, value);
    } else {
      throw mismatch(vector, "FLOAT");
    }
  }

  static void putBoolean(FieldVector vector, int index, boolean value) {
    if (vector instanceof BitVector v) {
      v.setSafe(index, value ? 1 : 0);
    } else {
      throw mismatch(vector, "BOOLEAN");
    }
  }

  static void putBinary(FieldVector vector, int index, Binary value) {
    if (vector instanceof VarCharVector v) {
      v.setSafe(index, value.getBytesUnsafe());
    } else if (vector instanceof VarBinaryVector v) {
      v.setSafe(index, value.getBytesUnsafe());
    } else if (vector instanceof DecimalVector v) {
      v.setBigEndianSafe(index, value.getBytesUnsafe());
    } else if (vector instanceof FixedSizeBinaryVector v) {
      v.setSafe(index, value.getBytesUnsafe());
    } else if (vector instanceof TimeStampVector v && value.length() == 12) {
      // INT96: nanoseconds of the day, then the Julian day, little-endian.
      ByteBuffer b = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      long nanosOfDay = b.getLong(b.position());
      long julianDay = Integer.toUnsignedLong(b.getInt(b.position() + 8));
      v.setSafe(index, (julianDay - JULIAN_EPOCH_DAY) * NANOS_PER_DAY + nanosOfDay);
    } else {
      throw mismatch(vector, "BINARY");
    }
  }

  /**
   * Slot {@code index} of a decimal vector as the physical value Parquet stores for its
   * precision (see {@link ParquetSchemas}): an {@code Integer}, a {@code Long} or a fixed-length
   * {@link Binary}.
   */
  static Object physical(DecimalVector vector, int index) {
    BigInteger unscaled = vector.getObject(index).unscaledValue();
    int precision = vector.getPrecision();
    if (precision <= 9) {
      return unscaled.intValueExact();
    } else if (precision <= 18) {
      return unscaled.longValueExact();
    }
    return Binary.fromConstantByteArray(
        fixedBigEndian(unscaled, ParquetSchemas.decimalBytes(precision)));
  }

  /** {@code unscaled} as a big-endian two's-complement value of exactly {@code length} bytes. */
  private static byte[] fixedBigEndian(BigInteger unscaled, int length) {
    byte[] minimal = unscaled.toByteArray();
    byte[] fixed = new byte[length];
    byte pad = (byte) (unscaled.signum() < 0 ? -1 : 0);
    int offset = length - minimal.length;
    for (int i = 0; i < length; i++) {
      fixed[i] = i < offset ? pad : minimal[i - offset];
    }
    return fixed;
  }

  private static IllegalStateException mismatch(FieldVector vector, String physical) {
    return new IllegalStateException("a Parquet " + physical + " value cannot go into "
        + vector.getField().getType());
  }
}
