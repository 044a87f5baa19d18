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
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The one mapping between Java values and Arrow vector slots that rows, batches and text formats
 * share, for every column type Tributary handles.
 *
 * <p>Java values per Arrow type: int8/16/32/64 → {@code Byte}/{@code Short}/{@code Integer}/{@code
 * Long}; float32/64 → {@code Float}/{@code Double}; boolean → {@code Boolean}; utf8 → {@code
 * String}; binary and fixed-size binary → {@code byte[]}; date → {@code LocalDate}; timestamp with
 * a zone → {@code Instant}, without → {@code LocalDateTime}; decimal → {@code BigDecimal}; list →
 * {@code List}; fixed-size list of float32 → {@code float[]} (a tensor; a {@code List} for a row
 * holding a null element, which a {@code float[]} cannot), of anything else → {@code
 * List}; struct → {@code Map<String, Object>} in field order; null → {@code null}. A column of
 * Arrow's null type (a column whose type is not known yet: null in every row seen) holds only
 * {@code null}.
 *
 * <p>A map (Arrow's map vector is a list of key-value structs) → a {@code List} of entries, each a
 * {@code Map} of {@code key} and {@code value}, in stored order: lossless where a {@code
 * java.util.Map} would lose the order and any repeated keys.
 */
public final class JavaValues {
  /** The decimal precision inferred for {@code BigDecimal} values (Arrow's decimal128 maximum). */
  public static final int DECIMAL_PRECISION = 38;

  private JavaValues() {}

  /** The Java value of slot {@code index} of {@code vector} (see the class comment). */
  public static Object get(FieldVector vector, int index) {
    if (vector.isNull(index)) {
      return null;
    }
    // The common flat types first: this runs once per value a row function reads.
    if (vector instanceof BigIntVector v) {
      return v.get(index);
    }
    if (vector instanceof Float8Vector v) {
      return v.get(index);
    }
    if (vector instanceof IntVector v) {
      return v.get(index);
    }
    if (vector instanceof VarCharVector v) {
      return new String(v.get(index), StandardCharsets.UTF_8);
    }
    if (vector instanceof TimeStampVector v) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) v.getField().getType();
      Instant instant = instant(v.get(index), type.getUnit());
      return type.getTimezone() == null ? LocalDateTime.ofInstant(instant, ZoneOffset.UTC)
          : instant;
    }
    if (vector instanceof DateDayVector v) {
      return LocalDate.ofEpochDay(v.get(index));
    }
    if (vector instanceof ListVector v) {
      FieldVector data = v.getDataVector();
      int start = v.getOffsetBuffer().getInt((long) index * ListVector.OFFSET_WIDTH);
      int end = v.getOffsetBuffer().getInt((long) (index + 1) * ListVector.OFFSET_WIDTH);
      List<Object> out = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        out.add(get(data, i));
      }
      return out;
    }
    if (vector instanceof FixedSizeListVector v) {
      FieldVector data = (FieldVector) v.getDataVector();
      int size = v.getListSize();
      if (data instanceof Float4Vector f && noNulls(f, index * size, size)) {
        float[] out = new float[size];
        for (int j = 0; j < size; j++) {
          out[j] = f.get(index * size + j);
        }
        return out;
      }
      List<Object> out = new ArrayList<>(size);
      for (int j = 0; j < size; j++) {
        out.add(get(data, index * size + j));
      }
      return out;
    }
    if (vector instanceof StructVector v) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (FieldVector child : v.getChildrenFromFields()) {
        out.put(child.getName(), get(child, index));
      }
      return out;
    }
    if (vector instanceof SmallIntVector || vector instanceof TinyIntVector
        || vector instanceof Float4Vector
        || vector instanceof BitVector || vector instanceof VarBinaryVector
        || vector instanceof FixedSizeBinaryVector || vector instanceof DecimalVector) {
      return vector.getObject(index);
    }
    throw new ColumnException(vector.getName(), "type " + vector.getField().getType()
        + " has no Java value mapping here");
  }

  /**
   * Sets slot {@code index} of {@code vector} to {@code value} (null sets a null), growing the
   * vector's buffers as needed. The caller sets the value count when done.
   *
   * @throws ColumnException if the value does not fit the column's type (naming the column)
   */
  public static void set(FieldVector vector, int index, Object value) {
    if (value == null) {
      setNull(vector, index);
      return;
    }
    try {
      setValue(vector, index, value);
    } catch (ClassCastException | ArithmeticException e) {
      throw new ColumnException(vector.getName(), "value " + describe(value) + " does not fit "
          + vector.getField().getType() + ": " + e.getMessage());
    }
  }

  private static void setValue(FieldVector vector, int index, Object value) {
    if (vector instanceof BigIntVector v) {
      v.setSafe(index, integral(value, Long.MIN_VALUE, Long.MAX_VALUE));
    } else if (vector instanceof IntVector v) {
      v.setSafe(index, (int) integral(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
    } else if (vector instanceof SmallIntVector v) {
      v.setSafe(index, (short) integral(value, Short.MIN_VALUE, Short.MAX_VALUE));
    } else if (vector instanceof TinyIntVector v) {
      v.setSafe(index, (byte) integral(value, Byte.MIN_VALUE, Byte.MAX_VALUE));
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(index, ((Number) value).doubleValue());
    } else if (vector instanceof Float4Vector v) {
      v.setSafe(index, ((Number) value).floatValue());
    } else if (vector instanceof BitVector v) {
      v.setSafe(index, (Boolean) value ? 1 : 0);
    } else if (vector instanceof VarCharVector v) {
      v.setSafe(index, ((String) value).getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof VarBinaryVector v) {
      v.setSafe(index, (byte[]) value);
    } else if (vector instanceof FixedSizeBinaryVector v) {
      byte[] bytes = (byte[]) value;
      if (bytes.length != v.getByteWidth()) {
        throw new ArithmeticException(bytes.length + " bytes, the column holds "
            + v.getByteWidth());
      }
      v.setSafe(index, bytes);
    } else if (vector instanceof DateDayVector v) {
      v.setSafe(index, Math.toIntExact(((LocalDate) value).toEpochDay()));
    } else if (vector instanceof TimeStampVector v) {
      v.setSafe(index, timestamp(value, (ArrowType.Timestamp) v.getField().getType()));
    } else if (vector instanceof DecimalVector v) {
      BigDecimal d = ((BigDecimal) value).setScale(v.getScale(), RoundingMode.UNNECESSARY);
      if (d.precision() > v.getPrecision()) {
        throw new ArithmeticException("precision " + d.precision() + " > " + v.getPrecision());
      }
      v.setSafe(index, d);
    } else if (vector instanceof ListVector v) {
      List<?> items = (List<?>) value;
      FieldVector data = v.getDataVector();
      int start = v.startNewValue(index);
      for (int i = 0; i < items.size(); i++) {
        set(data, start + i, items.get(i));
      }
      v.endValue(index, items.size());
      data.setValueCount(start + items.size());
    } else if (vector instanceof FixedSizeListVector v) {
      setFixedList(v, index, value);
    } else if (vector instanceof NullVector) {
      throw new ArithmeticException("a column of the null type holds only nulls");
    } else if (vector instanceof StructVector v) {
      Map<?, ?> fields = (Map<?, ?>) value;
      for (Object key : fields.keySet()) {
        if (v.getChild(String.valueOf(key)) == null) {
          throw new ArithmeticException("the struct has no field '" + key + "'");
        }
      }
      v.setIndexDefined(index);
      for (FieldVector child : v.getChildrenFromFields()) {
        set(child, index, fields.get(child.getName()));
        child.setValueCount(Math.max(child.getValueCount(), index + 1));
      }
    } else {
      throw new ColumnException(vector.getName(), "type " + vector.getField().getType()
          + " cannot be written from Java values here");
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

  private static void setFixedList(FixedSizeListVector v, int index, Object value) {
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
        set(data, index * size + j, item);
      }
    }
    data.setValueCount(Math.max(data.getValueCount(), (index + 1) * size));
  }

  private static void setNull(FieldVector vector, int index) {
    if (vector instanceof BaseFixedWidthVector v) {
      while (v.getValueCapacity() <= index) {
        v.reAlloc();
      }
      v.setNull(index);
    } else if (vector instanceof BaseVariableWidthVector v) {
      v.setNull(index);
      v.fillEmpties(index + 1);
    } else if (vector instanceof ListVector v) {
      while (v.getValueCapacity() <= index) {
        v.reAlloc();
      }
      v.setNull(index);
    } else if (vector instanceof FixedSizeListVector v) {
      while (v.getValueCapacity() <= index) {
        v.reAlloc();
      }
      v.setNull(index);
      FieldVector data = (FieldVector) v.getDataVector();
      for (int j = 0; j < v.getListSize(); j++) {
        setNull(data, index * v.getListSize() + j);
      }
      data.setValueCount(Math.max(data.getValueCount(), (index + 1) * v.getListSize()));
    } else if (vector instanceof StructVector v) {
      while (v.getValueCapacity() <= index) {
        v.reAlloc();
      }
      v.setNull(index);
      for (FieldVector child : v.getChildrenFromFields()) {
        setNull(child, index);
        child.setValueCount(Math.max(child.getValueCount(), index + 1));
      }
    } else {
      vector.setNull(index);
    }
  }

  /**
   * The Arrow field a column of these Java values becomes (see the class comment), from its
   * non-null values: lists take their element type from every element, structs the union of
   * their keys. A column of only nulls (an element or struct field included) has Arrow's null
   * type: its type is not known from these values, and it takes the type of the same column in
   * other blocks when they are combined ({@link Schemas#unify}).
   *
   * @throws ColumnException if values of one column have different types
   */
  public static Field infer(String name, Iterable<?> values) {
    Object sample = null;
    List<Object> elements = new ArrayList<>();
    Map<String, List<Object>> structFields = new LinkedHashMap<>();
    int row = 0;
    int scale = 0;
    int dim = -1;
    for (Object v : values) {
      if (v != null) {
        if (sample == null) {
          sample = v;
        } else if (!sameKind(sample, v)) {
          throw new ColumnException(name, "row " + row + " holds " + describe(v)
              + " in a column of " + describe(sample) + "; use one type per column");
        }
        if (v instanceof List<?> list) {
          elements.addAll(list);
        } else if (v instanceof Map<?, ?> map) {
          for (Map.Entry<?, ?> e : map.entrySet()) {
            structFields.computeIfAbsent(String.valueOf(e.getKey()), k -> new ArrayList<>())
                .add(e.getValue());
          }
        } else if (v instanceof BigDecimal d) {
          scale = Math.max(scale, d.scale());
        } else if (v instanceof float[] f) {
          dim = dim < 0 || dim == f.length ? f.length : Integer.MIN_VALUE;
        }
      }
      row++;
    }
    if (sample instanceof List) {
      return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
          List.of(infer(BaseRepeatedValueVector.DATA_VECTOR_NAME, elements)));
    }
    if (sample instanceof Map) {
      List<Field> children = new ArrayList<>();
      structFields.forEach((k, v) -> children.add(infer(k, v)));
      return new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), children);
    }
    if (sample instanceof float[]) {
      if (dim < 0) {
        throw new ColumnException(name, "float[] rows differ in length; tensors need one shape");
      }
      return BlockBuilder.tensorField(name, dim);
    }
    return new Field(name, FieldType.nullable(scalarType(name, sample, scale)), null);
  }

  private static ArrowType scalarType(String name, Object sample, int scale) {
    if (sample == null) {
      return ArrowType.Null.INSTANCE;
    } else if (sample instanceof String) {
      return ArrowType.Utf8.INSTANCE;
    } else if (sample instanceof Long) {
      return new ArrowType.Int(64, true);
    } else if (sample instanceof Integer) {
      return new ArrowType.Int(32, true);
    } else if (sample instanceof Short) {
      return new ArrowType.Int(16, true);
    } else if (sample instanceof Byte) {
      return new ArrowType.Int(8, true);
    } else if (sample instanceof Double) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    } else if (sample instanceof Float) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    } else if (sample instanceof Boolean) {
      return ArrowType.Bool.INSTANCE;
    } else if (sample instanceof byte[]) {
      return ArrowType.Binary.INSTANCE;
    } else if (sample instanceof LocalDate) {
      return new ArrowType.Date(DateUnit.DAY);
    } else if (sample instanceof Instant) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    } else if (sample instanceof LocalDateTime) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
    } else if (sample instanceof BigDecimal) {
      return new ArrowType.Decimal(DECIMAL_PRECISION, scale, 128);
    }
    throw new ColumnException(name, "unsupported Java type " + describe(sample) + "; use Long,"
        + " Integer, Short, Byte, Double, Float, Boolean, String, byte[], float[], LocalDate,"
        + " Instant, LocalDateTime, BigDecimal, List or Map");
  }

  private static boolean sameKind(Object a, Object b) {
    return a.getClass() == b.getClass() || (a instanceof List && b instanceof List)
        || (a instanceof Map && b instanceof Map);
  }

  private static long integral(Object value, long min, long max) {
    if (!(value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte)) {
      throw new ClassCastException(describe(value) + " is not an integer");
    }
    long v = ((Number) value).longValue();
    if (v < min || v > max) {
      throw new ArithmeticException(v + " is out of range");
    }
    return v;
  }

  private static long timestamp(Object value, ArrowType.Timestamp type) {
    Instant instant;
    if (value instanceof Instant i) {
      instant = i;
    } else if (value instanceof LocalDateTime t) {
      instant = t.toInstant(ZoneOffset.UTC);
    } else {
      throw new ClassCastException(describe(value) + " is not an Instant or LocalDateTime");
    }
    return epochUnits(instant, type.getUnit());
  }

  /**
   * {@code instant} as a count of {@code unit}s since the epoch, as Arrow timestamps hold it.
   *
   * @throws ArithmeticException if it is finer than the unit or outside int64's range of it
   *     (nanoseconds reach 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z)
   */
  public static long epochUnits(Instant instant, TimeUnit unit) {
    long perSecond = perSecond(unit);
    long nanosPerUnit = 1_000_000_000L / perSecond;
    if (instant.getNano() % nanosPerUnit != 0) {
      throw new ArithmeticException("it is finer than the column's unit " + unit);
    }
    long seconds = instant.getEpochSecond();
    long fraction = instant.getNano() / nanosPerUnit;
    if (seconds < 0 && fraction > 0) {
      // Near the negative end of the range, seconds x perSecond alone would overflow although
      // the value fits: borrow one second so both terms stay in range.
      seconds++;
      fraction -= perSecond;
    }
    return Math.addExact(Math.multiplyExact(seconds, perSecond), fraction);
  }

  /** The instant {@code value} units of {@code unit} after the epoch. */
  private static Instant instant(long value, TimeUnit unit) {
    long perSecond = perSecond(unit);
    return Instant.ofEpochSecond(Math.floorDiv(value, perSecond),
        Math.floorMod(value, perSecond) * (1_000_000_000L / perSecond));
  }

  /** How many units of {@code unit} make a second. */
  private static long perSecond(TimeUnit unit) {
    return switch (unit) {
      case SECOND -> 1;
      case MILLISECOND -> 1_000;
      case MICROSECOND -> 1_000_000;
      case NANOSECOND -> 1_000_000_000;
    };
  }

  private static String describe(Object value) {
    String text = value instanceof byte[] b ? b.length + " bytes" : String.valueOf(value);
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return value.getClass().getSimpleName() + " '" + text + "'";
  }
}
