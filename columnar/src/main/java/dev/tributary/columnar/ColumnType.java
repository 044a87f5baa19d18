package dev.tributary.columnar;

import dev.tributary.memory.ColumnException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
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
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.Types;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The one table of per-type behaviour: for each Arrow column type Tributary maps, how a slot
 * reads as a Java value, how a Java value (or a null) is written into a slot, and the Java class
 * a column batch holds it in. Resolve a column's entry once ({@link #of(FieldVector)} or {@link
 * #of(Field)}, keyed by Arrow's {@link MinorType}), then run a loop over its rows. Formats with
 * encodings of their own (the Parquet writer, reader and row filter) switch on the same entries,
 * so a new type is one entry here plus one case per format. Copying rows is Arrow's own for every type ({@code TransferPair}),
 * so it needs no entry: see {@link Blocks}.
 *
 * <p>The Java values are those {@link JavaValues} documents. {@link #value} and {@link #write}
 * take non-null slots and values; {@link JavaValues#get} and {@link JavaValues#set} add the null
 * handling and the typed errors.
 */
public enum ColumnType {
  /** Arrow's null type: a column whose type is not known yet; holds only nulls. */
  NULL(Object.class) {
    @Override
    Object value(FieldVector vector, int index) {
      return null;
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      throw new ArithmeticException("a column of the null type holds only nulls");
    }

    @Override
    void writeNull(FieldVector vector, int index) {
      vector.setNull(index);
    }
  },
  /** Signed 8-bit integers: {@code Byte}. */
  INT8(Byte.class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((TinyIntVector) vector).get(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((TinyIntVector) vector).setSafe(index,
          (byte) integral(value, Byte.MIN_VALUE, Byte.MAX_VALUE));
    }
  },
  /** Signed 16-bit integers: {@code Short}. */
  INT16(Short.class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((SmallIntVector) vector).get(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((SmallIntVector) vector).setSafe(index,
          (short) integral(value, Short.MIN_VALUE, Short.MAX_VALUE));
    }
  },
  /** Signed 32-bit integers: {@code Integer}, {@code int[]} when not nullable. */
  INT32(Integer.class, int[].class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((IntVector) vector).get(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((IntVector) vector).setSafe(index,
          (int) integral(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Override
    Object primitives(FieldVector vector, int rows) {
      IntVector v = (IntVector) vector;
      int[] out = new int[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = v.get(i);
      }
      return out;
    }
  },
  /** Signed 64-bit integers: {@code Long}, {@code long[]} when not nullable. */
  INT64(Long.class, long[].class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((BigIntVector) vector).get(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((BigIntVector) vector).setSafe(index, integral(value, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    @Override
    Object primitives(FieldVector vector, int rows) {
      BigIntVector v = (BigIntVector) vector;
      long[] out = new long[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = v.get(i);
      }
      return out;
    }
  },
  /** 32-bit floats: {@code Float}, {@code float[]} when not nullable. */
  FLOAT32(Float.class, float[].class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((Float4Vector) vector).get(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((Float4Vector) vector).setSafe(index, ((Number) value).floatValue());
    }

    @Override
    Object primitives(FieldVector vector, int rows) {
      Float4Vector v = (Float4Vector) vector;
      float[] out = new float[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = v.get(i);
      }
      return out;
    }
  },
  /** 64-bit floats: {@code Double}, {@code double[]} when not nullable. */
  FLOAT64(Double.class, double[].class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((Float8Vector) vector).get(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((Float8Vector) vector).setSafe(index, ((Number) value).doubleValue());
    }

    @Override
    Object primitives(FieldVector vector, int rows) {
      Float8Vector v = (Float8Vector) vector;
      double[] out = new double[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = v.get(i);
      }
      return out;
    }
  },
  /** Booleans: {@code Boolean}, {@code boolean[]} when not nullable. */
  BOOL(Boolean.class, boolean[].class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((BitVector) vector).get(index) != 0;
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((BitVector) vector).setSafe(index, (Boolean) value ? 1 : 0);
    }

    @Override
    Object primitives(FieldVector vector, int rows) {
      BitVector v = (BitVector) vector;
      boolean[] out = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = v.get(i) != 0;
      }
      return out;
    }
  },
  /** UTF-8 strings: {@code String}. */
  UTF8(String.class) {
    @Override
    Object value(FieldVector vector, int index) {
      return new String(((VarCharVector) vector).get(index), StandardCharsets.UTF_8);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((VarCharVector) vector).setSafe(index, ((String) value).getBytes(StandardCharsets.UTF_8));
    }
  },
  /** Variable-width binary: {@code byte[]}. */
  BINARY(byte[].class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((VarBinaryVector) vector).get(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((VarBinaryVector) vector).setSafe(index, (byte[]) value);
    }
  },
  /** Fixed-width binary: {@code byte[]} of the column's width (an {@code Object[]} batch). */
  FIXED_BINARY(Object.class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((FixedSizeBinaryVector) vector).get(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      FixedSizeBinaryVector v = (FixedSizeBinaryVector) vector;
      byte[] bytes = (byte[]) value;
      if (bytes.length != v.getByteWidth()) {
        throw new ArithmeticException(bytes.length + " bytes, the column holds "
            + v.getByteWidth());
      }
      v.setSafe(index, bytes);
    }
  },
  /** Days since the epoch: {@code LocalDate}. */
  DATE_DAY(LocalDate.class) {
    @Override
    Object value(FieldVector vector, int index) {
      return LocalDate.ofEpochDay(((DateDayVector) vector).get(index));
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ((DateDayVector) vector).setSafe(index, Math.toIntExact(((LocalDate) value).toEpochDay()));
    }
  },
  /** Timestamps with a zone: {@code Instant}. */
  TIMESTAMP_ZONED(Instant.class) {
    @Override
    Object value(FieldVector vector, int index) {
      TimeStampVector v = (TimeStampVector) vector;
      return instant(v.get(index), ((ArrowType.Timestamp) v.getField().getType()).getUnit());
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      writeTimestamp((TimeStampVector) vector, index, value);
    }
  },
  /** Timestamps without a zone (wall-clock time, read as UTC): {@code LocalDateTime}. */
  TIMESTAMP_LOCAL(LocalDateTime.class) {
    @Override
    Object value(FieldVector vector, int index) {
      // ofEpochSecond, not ofInstant: ofInstant asks the offset for its ZoneRules, which Java 17
      // builds anew on every call (the top frame of a plain scan's profile).
      Instant instant = (Instant) TIMESTAMP_ZONED.value(vector, index);
      return LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(),
          ZoneOffset.UTC);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      writeTimestamp((TimeStampVector) vector, index, value);
    }
  },
  /** 128-bit decimals: {@code BigDecimal} (written exactly at the column's scale). */
  DECIMAL(BigDecimal.class) {
    @Override
    Object value(FieldVector vector, int index) {
      return ((DecimalVector) vector).getObject(index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      DecimalVector v = (DecimalVector) vector;
      BigDecimal d = ((BigDecimal) value).setScale(v.getScale(), RoundingMode.UNNECESSARY);
      if (d.precision() > v.getPrecision()) {
        throw new ArithmeticException("precision " + d.precision() + " > " + v.getPrecision());
      }
      v.setSafe(index, d);
    }
  },
  /** Variable-length lists: {@code List}. */
  LIST(Object.class) {
    @Override
    Object value(FieldVector vector, int index) {
      ListVector v = (ListVector) vector;
      FieldVector data = v.getDataVector();
      ColumnType element = of(data);
      int start = v.getOffsetBuffer().getInt((long) index * ListVector.OFFSET_WIDTH);
      int end = v.getOffsetBuffer().getInt((long) (index + 1) * ListVector.OFFSET_WIDTH);
      List<Object> out = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        out.add(data.isNull(i) ? null : element.value(data, i));
      }
      return out;
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      ListVector v = (ListVector) vector;
      List<?> items = (List<?>) value;
      FieldVector data = v.getDataVector();
      int start = v.startNewValue(index);
      for (int i = 0; i < items.size(); i++) {
        JavaValues.set(data, start + i, items.get(i));
      }
      v.endValue(index, items.size());
      data.setValueCount(start + items.size());
    }

    @Override
    void writeNull(FieldVector vector, int index) {
      ListVector v = (ListVector) vector;
      while (v.getValueCapacity() <= index) {
        v.reAlloc();
      }
      v.setNull(index);
    }
  },
  /**
   * Maps (Arrow: a list of key-value structs): a {@code List} of entries, each a {@code Map} of
   * {@code key} and {@code value}, in stored order.
   */
  MAP(Object.class) {
    @Override
    Object value(FieldVector vector, int index) {
      return LIST.value(vector, index);
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      LIST.write(vector, index, value);
    }

    @Override
    void writeNull(FieldVector vector, int index) {
      LIST.writeNull(vector, index);
    }
  },
  /**
   * Fixed-size lists: a {@code float[]} for a float32 element without nulls (a tensor row), else
   * a {@code List}; a batch of float32 tensors is a {@code float[][]}.
   */
  FIXED_LIST(Object.class) {
    @Override
    Object value(FieldVector vector, int index) {
      FixedSizeListVector v = (FixedSizeListVector) vector;
      FieldVector data = (FieldVector) v.getDataVector();
      int size = v.getListSize();
      if (data instanceof Float4Vector f && noNulls(f, index * size, size)) {
        float[] out = new float[size];
        for (int j = 0; j < size; j++) {
          out[j] = f.get(index * size + j);
        }
        return out;
      }
      ColumnType element = of(data);
      List<Object> out = new ArrayList<>(size);
      for (int j = index * size; j < (index + 1) * size; j++) {
        out.add(data.isNull(j) ? null : element.value(data, j));
      }
      return out;
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      FixedSizeListVector v = (FixedSizeListVector) vector;
      int size = v.getListSize();
      FieldVector data = (FieldVector) v.getDataVector();
      int length = value instanceof float[] f ? f.length : ((List<?>) value).size();
      if (length != size) {
        throw new ArithmeticException(length + " values, the fixed-size list holds " + size);
      }
      while (v.getValueCapacity() <= index) {
        v.reAlloc();
      }
      v.setNotNull(index);
      if (value instanceof float[] f && data instanceof Float4Vector floats) {
        for (int j = 0; j < size; j++) {
          floats.setSafe(index * size + j, f[j]); // a tensor row: no boxing
        }
      } else {
        for (int j = 0; j < size; j++) {
          Object item = value instanceof float[] f ? (Object) f[j] : ((List<?>) value).get(j);
          JavaValues.set(data, index * size + j, item);
        }
      }
      data.setValueCount(Math.max(data.getValueCount(), (index + 1) * size));
    }

    @Override
    void writeNull(FieldVector vector, int index) {
      FixedSizeListVector v = (FixedSizeListVector) vector;
      while (v.getValueCapacity() <= index) {
        v.reAlloc();
      }
      v.setNull(index);
      FieldVector data = (FieldVector) v.getDataVector();
      ColumnType element = of(data);
      int size = v.getListSize();
      for (int j = index * size; j < (index + 1) * size; j++) {
        element.writeNull(data, j);
      }
      data.setValueCount(Math.max(data.getValueCount(), (index + 1) * size));
    }
  },
  /** Structs: a {@code Map<String, Object>} in field order. */
  STRUCT(Object.class) {
    @Override
    Object value(FieldVector vector, int index) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (FieldVector child : ((StructVector) vector).getChildrenFromFields()) {
        out.put(child.getName(), JavaValues.get(child, index));
      }
      return out;
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      StructVector v = (StructVector) vector;
      Map<?, ?> fields = (Map<?, ?>) value;
      for (Object key : fields.keySet()) {
        if (v.getChild(String.valueOf(key)) == null) {
          throw new ArithmeticException("the struct has no field '" + key + "'");
        }
      }
      v.setIndexDefined(index);
      for (FieldVector child : v.getChildrenFromFields()) {
        JavaValues.set(child, index, fields.get(child.getName()));
        child.setValueCount(Math.max(child.getValueCount(), index + 1));
      }
    }

    @Override
    void writeNull(FieldVector vector, int index) {
      StructVector v = (StructVector) vector;
      while (v.getValueCapacity() <= index) {
        v.reAlloc();
      }
      v.setNull(index);
      for (FieldVector child : v.getChildrenFromFields()) {
        of(child).writeNull(child, index);
        child.setValueCount(Math.max(child.getValueCount(), index + 1));
      }
    }
  },
  /**
   * Every other Arrow type (unsigned integers, other date and time units, large and view
   * layouts, unions, ...): nulls only; a value fails naming the column and its type.
   */
  UNSUPPORTED(Object.class) {
    @Override
    Object value(FieldVector vector, int index) {
      throw new ColumnException(vector.getName(), "type " + vector.getField().getType()
          + " has no Java value mapping here");
    }

    @Override
    void write(FieldVector vector, int index, Object value) {
      throw new ColumnException(vector.getName(), "type " + vector.getField().getType()
          + " cannot be written from Java values here");
    }

    @Override
    void writeNull(FieldVector vector, int index) {
      // No entry knows this type's layout; Arrow's base classes do.
      if (vector instanceof BaseFixedWidthVector v) {
        growTo(v, index);
        v.setNull(index);
      } else if (vector instanceof BaseVariableWidthVector v) {
        v.setNull(index);
        v.fillEmpties(index + 1);
      } else {
        vector.setNull(index);
      }
    }
  };

  private final Class<?> javaClass;
  private final Class<?> primitiveArray;

  ColumnType(Class<?> javaClass) {
    this(javaClass, null);
  }

  ColumnType(Class<?> javaClass, Class<?> primitiveArray) {
    this.javaClass = javaClass;
    this.primitiveArray = primitiveArray;
  }

  /** The entry for {@code vector}'s type: one switch, no allocation. */
  public static ColumnType of(FieldVector vector) {
    return of(vector.getMinorType());
  }

  /** The entry for {@code field}'s type (its children, if any, have entries of their own). */
  public static ColumnType of(Field field) {
    return of(Types.getMinorTypeForArrowType(field.getType()));
  }

  private static ColumnType of(MinorType type) {
    return switch (type) {
      case NULL -> NULL;
      case TINYINT -> INT8;
      case SMALLINT -> INT16;
      case INT -> INT32;
      case BIGINT -> INT64;
      case FLOAT4 -> FLOAT32;
      case FLOAT8 -> FLOAT64;
      case BIT -> BOOL;
      case VARCHAR -> UTF8;
      case VARBINARY -> BINARY;
      case FIXEDSIZEBINARY -> FIXED_BINARY;
      case DATEDAY -> DATE_DAY;
      case TIMESTAMPSECTZ, TIMESTAMPMILLITZ, TIMESTAMPMICROTZ, TIMESTAMPNANOTZ -> TIMESTAMP_ZONED;
      case TIMESTAMPSEC, TIMESTAMPMILLI, TIMESTAMPMICRO, TIMESTAMPNANO -> TIMESTAMP_LOCAL;
      case DECIMAL -> DECIMAL;
      case LIST -> LIST;
      case MAP -> MAP;
      case FIXED_SIZE_LIST -> FIXED_LIST;
      case STRUCT -> STRUCT;
      default -> UNSUPPORTED;
    };
  }

  /**
   * The class of this type's Java values in a column batch: a nullable column reads as an array
   * of it ({@code Long[]}, {@code String[]}, ...); {@code Object} where values vary in class.
   */
  public Class<?> javaClass() {
    return javaClass;
  }

  /** The Java value of non-null slot {@code index} of {@code vector} (a vector of this type). */
  abstract Object value(FieldVector vector, int index);

  /**
   * Sets slot {@code index} of {@code vector} to the non-null {@code value}, growing buffers.
   *
   * @throws ClassCastException if the value has another Java type
   * @throws ArithmeticException if it has the type but does not fit the column
   */
  abstract void write(FieldVector vector, int index, Object value);

  /** Sets slot {@code index} of {@code vector} to null, growing buffers (fixed-width layout). */
  void writeNull(FieldVector vector, int index) {
    if (vector instanceof BaseVariableWidthVector v) {
      v.setNull(index);
      v.fillEmpties(index + 1);
    } else {
      BaseFixedWidthVector v = (BaseFixedWidthVector) vector;
      growTo(v, index);
      v.setNull(index);
    }
  }

  /**
   * Whether a column of this type without nulls reads as a primitive array ({@code long[]},
   * {@code int[]}, {@code double[]}, {@code float[]}, {@code boolean[]}).
   */
  public boolean hasPrimitiveArray() {
    return primitiveArray != null;
  }

  /**
   * The first {@code rows} slots of {@code vector} as a primitive array, for a type that {@link
   * #hasPrimitiveArray()}. The caller has checked there are no nulls.
   */
  Object primitives(FieldVector vector, int rows) {
    throw new UnsupportedOperationException(this + " has no primitive array");
  }

  private static void growTo(BaseFixedWidthVector v, int index) {
    while (v.getValueCapacity() <= index) {
      v.reAlloc();
    }
  }

  /** Whether {@code length} values of {@code v} from {@code start} are all set. */
  private static boolean noNulls(FieldVector v, int start, int length) {
    for (int i = start; i < start + length; i++) {
      if (v.isNull(i)) {
        return false;
      }
    }
    return true;
  }

  private static long integral(Object value, long min, long max) {
    if (!(value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte)) {
      throw new ClassCastException(JavaValues.describe(value) + " is not an integer");
    }
    long v = ((Number) value).longValue();
    if (v < min || v > max) {
      throw new ArithmeticException(v + " is out of range");
    }
    return v;
  }

  private static void writeTimestamp(TimeStampVector vector, int index, Object value) {
    Instant instant;
    if (value instanceof Instant i) {
      instant = i;
    } else if (value instanceof LocalDateTime t) {
      instant = t.toInstant(ZoneOffset.UTC);
    } else {
      throw new ClassCastException(JavaValues.describe(value)
          + " is not an Instant or LocalDateTime");
    }
    TimeUnit unit = ((ArrowType.Timestamp) vector.getField().getType()).getUnit();
    vector.setSafe(index, JavaValues.epochUnits(instant, unit));
  }

  /** The instant {@code value} units of {@code unit} after the epoch. */
  private static Instant instant(long value, TimeUnit unit) {
    long perSecond = JavaValues.perSecond(unit);
    return Instant.ofEpochSecond(Math.floorDiv(value, perSecond),
        Math.floorMod(value, perSecond) * (1_000_000_000L / perSecond));
  }
}
