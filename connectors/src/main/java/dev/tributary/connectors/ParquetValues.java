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
    if (vector instanceof BigIntVector v) {
      return new Leaf() {
        @Override
        public void addLong(long value) {
          v.setSafe(index, value);
        }

        @Override
        public void addInt(int value) {
          v.setSafe(index, Integer.toUnsignedLong(value)); // uint32
        }
      };
    } else if (vector instanceof IntVector v) {
      return new Leaf() {
        @Override
        public void addInt(int value) {
          v.setSafe(index, value);
        }
      };
    } else if (vector instanceof DateDayVector v) {
      return new Leaf() {
        @Override
        public void addInt(int value) {
          v.setSafe(index, value);
        }
      };
    } else if (vector instanceof SmallIntVector v) {
      return new Leaf() {
        @Override
        public void addInt(int value) {
          v.setSafe(index, value);
        }
      };
    } else if (vector instanceof TinyIntVector v) {
      return new Leaf() {
        @Override
        public void addInt(int value) {
          v.setSafe(index, value);
        }
      };
    } else if (vector instanceof Float8Vector v) {
      return new Leaf() {
        @Override
        public void addDouble(double value) {
          v.setSafe(index, value);
        }
      };
    } else if (vector instanceof Float4Vector v) {
      return new Leaf() {
        @Override
        public void addFloat(float value) {
          v.setSafe(index, value);
        }
      };
    } else if (vector instanceof BitVector v) {
      return new Leaf() {
        @Override
        public void addBoolean(boolean value) {
          v.setSafe(index, value ? 1 : 0);
        }
      };
    } else if (vector instanceof TimeStampVector v) {
      return new Leaf() {
        @Override
        public void addLong(long value) {
          v.setSafe(index, value);
        }

        @Override
        public void addBinary(Binary value) {
          v.setSafe(index, int96Micros(value)); // INT96 columns read as microseconds
        }
      };
    } else if (vector instanceof DecimalVector v) {
      return new Leaf() {
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
    } else if (vector instanceof VarCharVector v) {
      return new Leaf() {
        @Override
        public void addBinary(Binary value) {
          v.setSafe(index, value.getBytesUnsafe());
        }
      };
    } else if (vector instanceof VarBinaryVector v) {
      return new Leaf() {
        @Override
        public void addBinary(Binary value) {
          v.setSafe(index, value.getBytesUnsafe());
        }
      };
    } else if (vector instanceof FixedSizeBinaryVector v) {
      return new Leaf() {
        @Override
        public void addBinary(Binary value) {
          v.setSafe(index, value.getBytesUnsafe());
        }
      };
    }
    throw new IllegalStateException("no Parquet values go into " + vector.getField().getType());
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
