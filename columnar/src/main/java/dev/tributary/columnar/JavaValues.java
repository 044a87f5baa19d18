package dev.tributary.columnar;

import dev.tributary.memory.ColumnException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
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
 *
 * <p>Each type's reads and writes are an entry of {@link ColumnType}; this class adds the null
 * handling, the typed errors and the reverse direction (which Arrow type Java values infer to).
 */
public final class JavaValues {
  /** The decimal precision inferred for {@code BigDecimal} values (Arrow's decimal128 maximum). */
  public static final int DECIMAL_PRECISION = 38;

  /** The Arrow type each scalar Java class infers to (decimals take their scale from values). */
  private static final Map<Class<?>, ArrowType> SCALARS = Map.ofEntries(
      Map.entry(String.class, ArrowType.Utf8.INSTANCE),
      Map.entry(Long.class, new ArrowType.Int(64, true)),
      Map.entry(Integer.class, new ArrowType.Int(32, true)),
      Map.entry(Short.class, new ArrowType.Int(16, true)),
      Map.entry(Byte.class, new ArrowType.Int(8, true)),
      Map.entry(Double.class, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
      Map.entry(Float.class, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
      Map.entry(Boolean.class, ArrowType.Bool.INSTANCE),
      Map.entry(byte[].class, ArrowType.Binary.INSTANCE),
      Map.entry(LocalDate.class, new ArrowType.Date(DateUnit.DAY)),
      Map.entry(Instant.class, new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
      Map.entry(LocalDateTime.class, new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)));

  private JavaValues() {}

  /**
   * The Java value of slot {@code index} of {@code vector} (see the class comment). Resolves the
   * column's {@link ColumnType} per call: a loop over a column resolves it once and calls {@link
   * #get(ColumnType, FieldVector, int)}.
   */
  public static Object get(FieldVector vector, int index) {
    return vector.isNull(index) ? null : ColumnType.of(vector).value(vector, index);
  }

  /** The Java value of slot {@code index} of {@code vector}, whose entry is {@code type}. */
  public static Object get(ColumnType type, FieldVector vector, int index) {
    return vector.isNull(index) ? null : type.value(vector, index);
  }

  /**
   * Sets slot {@code index} of {@code vector} to {@code value} (null sets a null), growing the
   * vector's buffers as needed. The caller sets the value count when done.
   *
   * @throws ColumnException if the value does not fit the column's type (naming the column)
   */
  public static void set(FieldVector vector, int index, Object value) {
    set(ColumnType.of(vector), vector, index, value);
  }

  /**
   * Sets slot {@code index} of {@code vector}, whose entry is {@code type}, to {@code value}, as
   * {@link #set(FieldVector, int, Object)} does.
   *
   * @throws ColumnException if the value does not fit the column's type (naming the column)
   */
  public static void set(ColumnType type, FieldVector vector, int index, Object value) {
    if (value == null) {
      type.writeNull(vector, index);
      return;
    }
    try {
      type.write(vector, index, value);
    } catch (ClassCastException | ArithmeticException e) {
      throw new ColumnException(vector.getName(), "value " + describe(value) + " does not fit "
          + vector.getField().getType() + ": " + e.getMessage());
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
    }
    if (sample instanceof BigDecimal) {
      return new ArrowType.Decimal(DECIMAL_PRECISION, scale, 128);
    }
    ArrowType type = SCALARS.get(sample.getClass());
    if (type == null) {
      throw new ColumnException(name, "unsupported Java type " + describe(sample) + "; use Long,"
          + " Integer, Short, Byte, Double, Float, Boolean, String, byte[], float[], LocalDate,"
          + " Instant, LocalDateTime, BigDecimal, List or Map");
    }
    return type;
  }

  private static boolean sameKind(Object a, Object b) {
    return a.getClass() == b.getClass() || (a instanceof List && b instanceof List)
        || (a instanceof Map && b instanceof Map);
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

  /** How many units of {@code unit} make a second. */
  static long perSecond(TimeUnit unit) {
    return switch (unit) {
      case SECOND -> 1;
      case MILLISECOND -> 1_000;
      case MICROSECOND -> 1_000_000;
      case NANOSECOND -> 1_000_000_000;
    };
  }

  static String describe(Object value) {
    String text = value instanceof byte[] b ? b.length + " bytes" : String.valueOf(value);
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return value.getClass().getSimpleName() + " '" + text + "'";
  }
}
