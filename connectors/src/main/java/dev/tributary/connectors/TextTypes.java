package dev.tributary.connectors;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tributary.columnar.JavaValues;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Column types of text formats (CSV, JSON lines): what a column of raw values is inferred as,
 * how a raw value (a CSV string or a Jackson-parsed JSON value) becomes the Java value of an
 * Arrow type, and how Java values are written back as text.
 *
 * <p>Inference from CSV text: int64 when every value is an integer, float64 when every value is
 * a number ({@code NaN}, {@code inf}, {@code Infinity} in any case and sign included), boolean
 * for {@code true}/{@code false}, date for ISO {@code yyyy-MM-dd}, timestamp for ISO date-times
 * ({@code T} or a space; zoned, UTC, when they carry {@code Z} or an offset; µs, or ns when a
 * value has more than 6 fraction digits); anything else, or a mix, is utf8. Empty fields count
 * as nulls there. JSON values keep their JSON type (numbers, booleans, arrays as lists, objects
 * as structs); JSON strings are utf8 unless all are ISO dates or date-times, and the strings
 * {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} count as numbers in a column of
 * numbers. A column mixing types is utf8: JSON numbers, booleans, arrays and objects in it are
 * their JSON text.
 */
final class TextTypes {
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern DATE_TIME = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.(\\d{1,9}))?)?");
  private static final Pattern ZONED = Pattern.compile(
      "(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.(\\d{1,9}))?)?)"
          + "(Z|([+-]\\d{2})(:?(\\d{2}))?)");
  /** Decimal numbers as Java, DuckDB, Spark and Python write them (no hex, no suffixes). */
  private static final Pattern NUMBER = Pattern.compile(
      "[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  /** NaN and infinities as Java ({@code NaN}, {@code Infinity}) and DuckDB ({@code inf}) write. */
  private static final Pattern NON_FINITE = Pattern.compile(
      "[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
  private static final DateTimeFormatter OFFSET_DATE_TIME = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).appendOffset("+HH:MM", "Z").toFormatter();

  private static final ObjectWriter JSON_TEXT = JsonMapper.builder()
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build().writer();

  private TextTypes() {}

  private enum Kind {
    LONG, DOUBLE, NON_FINITE, BOOLEAN, DATE, TIMESTAMP, LOCAL_TIMESTAMP, NESTED, STRING
  }

  /**
   * The field column {@code c} of {@code rows} is read as, from CSV text or, with {@code json},
   * Jackson-parsed JSON values: Arrow's null type when every value is null (the type is not known
   * yet; later blocks give it), utf8 when the only values are empty strings.
   *
   * @throws dev.tributary.memory.ColumnException if nested JSON values do not have one type
   */
  static Field infer(String name, List<Object[]> rows, int c, boolean json) {
    Kind kind = null;
    boolean nanos = false;
    boolean anyValue = false;
    for (Object[] row : rows) {
      Object v = row[c];
      anyValue |= v != null;
      Kind k = v == null ? null : json ? jsonKind(v) : csvKind((String) v);
      if (k != null) {
        kind = kind == null ? k : widen(kind, k);
        nanos |= (k == Kind.TIMESTAMP || k == Kind.LOCAL_TIMESTAMP) && fractionDigits(v) > 6;
      }
    }
    if (!anyValue) {
      return new Field(name, FieldType.nullable(ArrowType.Null.INSTANCE), null);
    }
    TimeUnit unit = nanos ? TimeUnit.NANOSECOND : TimeUnit.MICROSECOND;
    ArrowType type = switch (kind == null ? Kind.STRING : kind) {
      case LONG -> new ArrowType.Int(64, true);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP -> new ArrowType.Timestamp(unit, "UTC");
      case LOCAL_TIMESTAMP -> new ArrowType.Timestamp(unit, null);
      case STRING, NON_FINITE -> ArrowType.Utf8.INSTANCE;
      case NESTED -> null;
    };
    if (type != null) {
      return new Field(name, FieldType.nullable(type), null);
    }
    List<Object> values = new ArrayList<>(rows.size());
    for (Object[] row : rows) {
      values.add(normalize(row[c]));
    }
    return JavaValues.infer(name, values);
  }

  /** The kind of a CSV field; an empty one says nothing (it reads as null but in utf8). */
  private static Kind csvKind(String s) {
    if (s.isEmpty()) {
      return null;
    } else if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Kind.BOOLEAN;
    }
    Kind time = timeKind(s);
    if (time != null) {
      return time;
    }
    try {
      Long.parseLong(s);
      return Kind.LONG;
    } catch (NumberFormatException e) {
      // not an int64
    }
    return NUMBER.matcher(s).matches() || NON_FINITE.matcher(s).matches() ? Kind.DOUBLE
        : Kind.STRING;
  }

  /** The kind of a JSON value: its JSON type; strings are only dates, times or non-finite. */
  private static Kind jsonKind(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
      return Kind.LONG;
    } else if (v instanceof Number) {
      return Kind.DOUBLE;
    } else if (v instanceof Boolean) {
      return Kind.BOOLEAN;
    } else if (v instanceof List || v instanceof Map) {
      return Kind.NESTED;
    }
    String s = (String) v;
    Kind time = timeKind(s);
    return time != null ? time : NON_FINITE.matcher(s).matches() ? Kind.NON_FINITE : Kind.STRING;
  }

  private static Kind timeKind(String s) {
    if (DATE.matcher(s).matches()) {
      return Kind.DATE;
    } else if (ZONED.matcher(s).matches()) {
      return Kind.TIMESTAMP;
    } else if (DATE_TIME.matcher(s).matches()) {
      return Kind.LOCAL_TIMESTAMP;
    }
    return null;
  }

  private static int fractionDigits(Object v) {
    String s = v.toString();
    int dot = s.indexOf('.');
    if (dot < 0) {
      return 0;
    }
    int end = dot + 1;
    while (end < s.length() && Character.isDigit(s.charAt(end))) {
      end++;
    }
    return end - dot - 1;
  }

  private static Kind widen(Kind a, Kind b) {
    if (a == b) {
      return a;
    } else if (numeric(a) && numeric(b)) {
      return Kind.DOUBLE;
    }
    return Kind.STRING;
  }

  private static boolean numeric(Kind k) {
    return k == Kind.LONG || k == Kind.DOUBLE || k == Kind.NON_FINITE;
  }

  /** JSON numbers inside lists and objects as Long or Double. */
  private static Object normalize(Object v) {
    if (v instanceof Integer || v instanceof Short) {
      return ((Number) v).longValue();
    } else if (v instanceof BigInteger b) {
      return b.longValueExact();
    } else if (v instanceof BigDecimal d) {
      return d.doubleValue();
    } else if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(x -> out.add(normalize(x)));
      return out;
    } else if (v instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, x) -> out.put(String.valueOf(k), normalize(x)));
      return out;
    }
    return v;
  }

  /**
   * The Java value of {@code raw} for a column of {@code field}. An empty string is a null in
   * any column but utf8 and binary.
   *
   * @throws IllegalArgumentException if it does not parse as that type
   */
  static Object parse(Object raw, Field field) {
    if (raw == null) {
      return null;
    }
    ArrowType t = field.getType();
    if ("".equals(raw) && !(t instanceof ArrowType.Utf8 || t instanceof ArrowType.Binary
        || t instanceof ArrowType.FixedSizeBinary)) {
      return null;
    }
    try {
      if (t instanceof ArrowType.Int i) {
        long v = integer(raw);
        return switch (i.getBitWidth()) {
          case 8 -> (byte) checked(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
          case 16 -> (short) checked(v, Short.MIN_VALUE, Short.MAX_VALUE);
          case 32 -> (int) checked(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
          default -> v;
        };
      } else if (t instanceof ArrowType.FloatingPoint f) {
        return f.getPrecision() == FloatingPointPrecision.DOUBLE ? (Object) float64(raw)
            : (Object) float32(raw);
      } else if (t instanceof ArrowType.Bool) {
        if (raw instanceof Boolean b) {
          return b;
        }
        String s = (String) raw;
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("value '" + raw + "' is not true or false");
      } else if (t instanceof ArrowType.Utf8) {
        return raw instanceof String s ? s : jsonText(raw);
      } else if (t instanceof ArrowType.Binary || t instanceof ArrowType.FixedSizeBinary) {
        byte[] bytes = Base64.getDecoder().decode((String) raw);
        if (t instanceof ArrowType.FixedSizeBinary fixed
            && bytes.length != fixed.getByteWidth()) {
          throw new IllegalArgumentException(bytes.length + " bytes, the column holds "
              + fixed.getByteWidth());
        }
        return bytes;
      } else if (t instanceof ArrowType.Date) {
        return LocalDate.parse((String) raw);
      } else if (t instanceof ArrowType.Timestamp ts) {
        return timestamp((String) raw, ts);
      } else if (t instanceof ArrowType.Decimal d) {
        return decimal(raw, d);
      } else if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
        Field item = field.getChildren().get(0);
        List<Object> out = new ArrayList<>();
        for (Object x : (List<?>) raw) {
          out.add(parse(x, item));
        }
        return out;
      } else if (t instanceof ArrowType.Struct) {
        return struct((Map<?, ?>) raw, field);
      }
    } catch (NumberFormatException | DateTimeParseException | ClassCastException
        | ArithmeticException e) {
      throw new IllegalArgumentException("value '" + raw + "' is not a " + t + ": "
          + e.getMessage(), e);
    }
    throw new IllegalArgumentException("type " + t + " cannot be read from text");
  }

  private static long integer(Object raw) {
    if (raw instanceof Long || raw instanceof Integer || raw instanceof Short) {
      return ((Number) raw).longValue();
    } else if (raw instanceof BigInteger b) {
      return b.longValueExact();
    } else if (raw instanceof BigDecimal d) {
      return d.longValueExact(); // 3.0 is 3; 3.5 fails
    } else if (raw instanceof String s) {
      return Long.parseLong(s);
    }
    throw new ClassCastException("a JSON " + jsonName(raw) + " is not an integer");
  }

  private static double float64(Object raw) {
    if (raw instanceof Double d) {
      return d; // NaN, infinities and -0.0 from JSON
    } else if (raw instanceof String s) {
      return Double.parseDouble(number(s));
    } else if (raw instanceof Number n) {
      return Double.parseDouble(n.toString()); // exact decimal text, correctly rounded
    }
    throw new ClassCastException("a JSON " + jsonName(raw) + " is not a number");
  }

  /** Parsed from the text directly: through a double, rounding twice could change it. */
  private static float float32(Object raw) {
    if (raw instanceof Double d) {
      return d.floatValue();
    } else if (raw instanceof String s) {
      return Float.parseFloat(number(s));
    } else if (raw instanceof Number n) {
      return Float.parseFloat(n.toString());
    }
    throw new ClassCastException("a JSON " + jsonName(raw) + " is not a number");
  }

  /** {@code s} in Java's syntax if it is a decimal number, NaN or an infinity. */
  private static String number(String s) {
    if (NUMBER.matcher(s).matches()) {
      return s;
    } else if (NON_FINITE.matcher(s).matches()) {
      String word = s.toLowerCase(Locale.ROOT);
      return word.endsWith("nan") ? "NaN" : word.startsWith("-") ? "-Infinity" : "Infinity";
    }
    throw new NumberFormatException("not a number");
  }

  private static Object timestamp(String raw, ArrowType.Timestamp type) {
    String s = raw.length() > 10 && raw.charAt(10) == ' '
        ? raw.substring(0, 10) + 'T' + raw.substring(11) : raw;
    Matcher zoned = ZONED.matcher(s);
    Instant instant;
    if (zoned.matches()) {
      // Offsets as +HH, +HHMM or +HH:MM (DuckDB writes +00) become +HH:MM for Java's parser.
      String offset = zoned.group(5).equals("Z") ? "Z"
          : zoned.group(6) + ":" + (zoned.group(8) == null ? "00" : zoned.group(8));
      instant = OffsetDateTime.parse(zoned.group(1) + offset, OFFSET_DATE_TIME).toInstant();
    } else {
      instant = LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
    }
    JavaValues.epochUnits(instant, type.getUnit()); // fails here, naming the line, if it cannot
    return type.getTimezone() == null
        ? LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC)
        : instant;
  }

  private static BigDecimal decimal(Object raw, ArrowType.Decimal type) {
    if (!(raw instanceof String || raw instanceof Number)) {
      throw new ClassCastException("a JSON " + jsonName(raw) + " is not a number");
    }
    BigDecimal d;
    try {
      d = new BigDecimal(raw.toString()).setScale(type.getScale(), RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      throw new ArithmeticException("it has more than " + type.getScale() + " decimal places");
    }
    if (d.precision() > type.getPrecision()) {
      throw new ArithmeticException("it has more than " + type.getPrecision() + " digits");
    }
    return d;
  }

  private static Map<String, Object> struct(Map<?, ?> object, Field field) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Field child : field.getChildren()) {
      out.put(child.getName(), parse(object.get(child.getName()), child));
    }
    for (Object key : object.keySet()) {
      if (!out.containsKey(String.valueOf(key))) {
        throw new IllegalArgumentException("unknown field '" + key + "'");
      }
    }
    return out;
  }

  /** A JSON number, boolean, array or object in a utf8 column: its JSON text, as Spark reads it. */
  private static String jsonText(Object raw) {
    try {
      return JSON_TEXT.writeValueAsString(raw);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value '" + raw + "' has no JSON text", e);
    }
  }

  private static String jsonName(Object raw) {
    return raw instanceof String ? "string" : raw instanceof Boolean ? "boolean"
        : raw instanceof Number ? "number" : raw instanceof List ? "array" : "object";
  }

  private static long checked(long v, long min, long max) {
    if (v < min || v > max) {
      throw new NumberFormatException(v + " is out of range");
    }
    return v;
  }

  /** {@code value} as JSON lines write it: dates and times as ISO strings, nesting kept. */
  static Object toJson(Object value) {
    if (value instanceof LocalDate || value instanceof LocalDateTime || value instanceof Instant) {
      return value.toString();
    } else if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(x -> out.add(toJson(x)));
      return out;
    } else if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((k, x) -> out.put(k, toJson(x)));
      return out;
    }
    return value;
  }

  /** {@code value} as a CSV field: ISO dates and times, plain decimals, base64 binary. */
  static Object toCsv(Object value) {
    if (value instanceof byte[] b) {
      return Base64.getEncoder().encodeToString(b);
    } else if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return toJson(value);
  }

  /** Whether a column of {@code type} can be a CSV field (not a list or struct). */
  static boolean flat(ArrowType type) {
    return !(type instanceof ArrowType.List || type instanceof ArrowType.FixedSizeList
        || type instanceof ArrowType.Struct || type instanceof ArrowType.Map);
  }
}
