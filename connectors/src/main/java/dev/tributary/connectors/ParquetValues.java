package dev.tributary.connectors;

import dev.tributary.columnar.ColumnType;
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
import org.apache.parquet.io.api.PrimitiveConverter;

/**
 * Stores decoded Parquet values into the Arrow vector their column reads as (see {@link
 * ParquetSchemas}), growing it as needed: {@link #leaf} chooses the store for a vector once, so
 * no value pays for a type dispatch. Also maps decimals back to Parquet's physical values.
 */
final class ParquetValues {
  private static final long MICROS_PER_DAY = 86_400_000_000L;
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  private ParquetValues() {}

  /** A converter storing each value it is given at {@link #index} of one vector. */
  abstract static class Leaf extends PrimitiveConverter {
    /** Where the next value goes. */
    int index;
  }

  /**
   * The store of values into {@code vector}, by its type (a Parquet value of another physical
   * type than the column's is refused by parquet-mr's converter contract).
   */
  static Leaf leaf(FieldVector vector) {
    return switch (ColumnType.of(vector)) {
      case INT64 -> {
        BigIntVector v = (BigIntVector) vector;
        yield new Leaf() {
          @Override
          public void addLong(long value) {
            v.setSafe(index, value);
          }

          @Override
          public void addInt(int value) {
            v.setSafe(index, Integer.toUnsignedLong(value)); // uint32
          }
        };
      }
      case INT32 -> {
        IntVector v = (IntVector) vector;
        yield new Leaf() {
          @Override
          public void addInt(int value) {
            v.setSafe(index, value);
          }
        };
      }
      case DATE_DAY -> {
        DateDayVector v = (DateDayVector) vector;
        yield new Leaf() {
          @Override
          public void addInt(int value) {
            v.setSafe(index, value);
          }
        };
      }
      case INT16 -> {
        SmallIntVector v = (SmallIntVector) vector;
        yield new Leaf() {
          @Override
          public void addInt(int value) {
            v.setSafe(index, value);
          }
        };
      }
      case INT8 -> {
        TinyIntVector v = (TinyIntVector) vector;
        yield new Leaf() {
          @Override
          public void addInt(int value) {
            v.setSafe(index, value);
          }
        };
      }
      case FLOAT64 -> {
        Float8Vector v = (Float8Vector) vector;
        yield new Leaf() {
          @Override
          public void addDouble(double value) {
            v.setSafe(index, value);
          }
        };
      }
      case FLOAT32 -> {
        Float4Vector v = (Float4Vector) vector;
        yield new Leaf() {
          @Override
          public void addFloat(float value) {
            v.setSafe(index, value);
          }
        };
      }
      case BOOL -> {
        BitVector v = (BitVector) vector;
        yield new Leaf() {
          @Override
          public void addBoolean(boolean value) {
            v.setSafe(index, value ? 1 : 0);
          }
        };
      }
      case TIMESTAMP_ZONED, TIMESTAMP_LOCAL -> {
        TimeStampVector v = (TimeStampVector) vector;
        yield new Leaf() {
          @Override
          public void addLong(long value) {
            v.setSafe(index, value);
          }

          @Override
          public void addBinary(Binary value) {
            v.setSafe(index, int96Micros(value)); // INT96 columns read as microseconds
          }
        };
      }
      case DECIMAL -> {
        DecimalVector v = (DecimalVector) vector;
        yield new Leaf() {
          @Override
          public void addInt(int value) {
            v.setSafe(index, (long) value);
          }

          @Override
          public void addLong(long value) {
            v.setSafe(index, value);
          }

          @Override
          public void addBinary(Binary value) {
            v.setBigEndianSafe(index, value.getBytesUnsafe());
          }
        };
      }
      case UTF8 -> {
        VarCharVector v = (VarCharVector) vector;
        yield new Leaf() {
          @Override
          public void addBinary(Binary value) {
            v.setSafe(index, value.getBytesUnsafe());
          }
        };
      }
      case BINARY -> {
        VarBinaryVector v = (VarBinaryVector) vector;
        yield new Leaf() {
          @Override
          public void addBinary(Binary value) {
            v.setSafe(index, value.getBytesUnsafe());
          }
        };
      }
      case FIXED_BINARY -> {
        FixedSizeBinaryVector v = (FixedSizeBinaryVector) vector;
        yield new Leaf() {
          @Override
          public void addBinary(Binary value) {
            v.setSafe(index, value.getBytesUnsafe());
          }
        };
      }
      default -> throw new IllegalStateException("no Parquet values go into "
          + vector.getField().getType());
    };
  }


  /**
   * An INT96 timestamp (nanoseconds of the day, then the Julian day, little-endian) as
   * microseconds since the epoch; digits below a microsecond are dropped, as Spark and Arrow do.
   *
   * @throws ArithmeticException if the instant is outside what microseconds in a long hold
   */
  static long int96Micros(Binary value) {
    ByteBuffer b = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = b.getLong(b.position());
    long julianDay = Integer.toUnsignedLong(b.getInt(b.position() + 8));
    try {
      return Math.addExact(Math.multiplyExact(julianDay - JULIAN_EPOCH_DAY, MICROS_PER_DAY),
          Math.floorDiv(nanosOfDay, 1000));
    } catch (ArithmeticException e) {
      throw new ArithmeticException("INT96 timestamp of Julian day " + julianDay + " and "
          + nanosOfDay + " ns into the day is outside the range of microsecond timestamps");
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
}
