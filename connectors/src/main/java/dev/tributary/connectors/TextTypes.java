package dev.tributary.connectors;

import dev.tributary.memory.JavaValues;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Inference: int64 when every value is an integer, float64 when every value is a number,
 * boolean for {@code true}/{@code false}, date for ISO {@code yyyy-MM-dd}, timestamp (µs) for ISO
 * date-times (zoned when they carry {@code Z} or an offset), JSON arrays and objects as lists and
 * structs; anything else, or a mix, is utf8.
 */
final class TextTypes {
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern DATE_TIME = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?");
  private static final Pattern ZONED = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})");

  private TextTypes() {}

  private enum Kind { LONG, DOUBLE, BOOLEAN, DATE, TIMESTAMP, LOCAL_TIMESTAMP, NESTED, STRING }

  /** The field column {@code c} of {@code rows} is read as (nullable utf8 if all null). */
  static Field infer(String name, List<Object[]> rows, int c) {
    Kind kind = null;
    for (Object[] row : rows) {
      Object v = row[c];
      if (v != null) {
        Kind k = kindOf(v);
        kind = kind == null ? k : widen(kind, k);
      }
    }
    ArrowType type = switch (kind == null ? Kind.STRING : kind) {
      case LONG -> new ArrowType.Int(64, true);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      case LOCAL_TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case STRING -> ArrowType.Utf8.INSTANCE;
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

  private static Kind kindOf(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
      return Kind.LONG;
    } else if (v instanceof Number) {
      return Kind.DOUBLE;
    } else if (v instanceof Boolean) {
      return Kind.BOOLEAN;
    } else if (v instanceof List || v instanceof Map) {
      return Kind.NESTED;
    }
    String s = v.toString();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Kind.BOOLEAN;
    } else if (DATE.matcher(s).matches()) {
      return Kind.DATE;
    } else if (ZONED.matcher(s).matches()) {
      return Kind.TIMESTAMP;
    } else if (DATE_TIME.matcher(s).matches()) {
      return Kind.LOCAL_TIMESTAMP;
    }
    try {
      Long.parseLong(s);
      return Kind.LONG;
    } catch (NumberFormatException e) {
      // not an integer
    }
    try {
      Double.parseDouble(s);
      return Kind.DOUBLE;
    } catch (NumberFormatException e) {
      return Kind.STRING;
    }
  }

  private static Kind widen(Kind a, Kind b) {
    if (a == b) {
      return a;
    } else if ((a == Kind.LONG && b == Kind.DOUBLE) || (a == Kind.DOUBLE && b == Kind.LONG)) {
      return Kind.DOUBLE;
    }
    return Kind.STRING;
  }

  /** JSON numbers inside lists and objects as Long or Double. */
  private static Object normalize(Object v) {
    if (v instanceof Integer || v instanceof BigInteger || v instanceof Short) {
      return ((Number) v).longValue();
    } else if (v instanceof Float || v instanceof BigDecimal) {
      return ((Number) v).doubleValue();
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
   * The Java value of {@code raw} for a column of {@code field}.
   *
   * @throws IllegalArgumentException if it does not parse as that type
   */
  static Object parse(Object raw, Field field) {
    if (raw == null) {
      return null;
    }
    ArrowType t = field.getType();
    try {
      if (t instanceof ArrowType.Int i) {
        long v = raw instanceof Number n && !(raw instanceof Double || raw instanceof Float
            || raw instanceof BigDecimal) ? n.longValue() : Long.parseLong(raw.toString());
        return switch (i.getBitWidth()) {
          case 8 -> (byte) checked(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
          case 16 -> (short) checked(v, Short.MIN_VALUE, Short.MAX_VALUE);
          case 32 -> (int) checked(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
          default -> v;
        };
      } else if (t instanceof ArrowType.FloatingPoint f) {
        double d = raw instanceof Number n ? n.doubleValue() : Double.parseDouble(raw.toString());
        return f.getPrecision() == FloatingPointPrecision.DOUBLE ? (Object) d : (Object) (float) d;
      } else if (t instanceof ArrowType.Bool) {
        if (raw instanceof Boolean b) {
          return b;
        }
        String s = raw.toString();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("not true or false");
      } else if (t instanceof ArrowType.Utf8) {
        return raw.toString();
      } else if (t instanceof ArrowType.Binary || t instanceof ArrowType.FixedSizeBinary) {
        return Base64.getDecoder().decode(raw.toString());
      } else if (t instanceof ArrowType.Date) {
        return LocalDate.parse(raw.toString());
      } else if (t instanceof ArrowType.Timestamp ts) {
        String s = raw.toString().replace(' ', 'T');
        boolean zoned = ZONED.matcher(raw.toString()).matches();
        if (ts.getTimezone() == null) {
          return zoned ? LocalDateTime.ofInstant(OffsetDateTime.parse(s).toInstant(),
              ZoneOffset.UTC) : LocalDateTime.parse(s);
        }
        return zoned ? OffsetDateTime.parse(s).toInstant()
            : LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
      } else if (t instanceof ArrowType.Decimal) {
        return new BigDecimal(raw.toString());
      } else if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
        Field item = field.getChildren().get(0);
        List<Object> out = new ArrayList<>();
        for (Object x : (List<?>) raw) {
          out.add(parse(x, item));
        }
        return out;
      } else if (t instanceof ArrowType.Struct) {
        Map<?, ?> object = (Map<?, ?>) raw;
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field child : field.getChildren()) {
          out.put(child.getName(), parse(object.get(child.getName()), child));
        }
        for (Object key : object.keySet()) {
          if (field.getChildren().stream().noneMatch(c -> c.getName().equals(key))) {
            throw new IllegalArgumentException("unknown field '" + key + "'");
          }
        }
        return out;
      }
    } catch (NumberFormatException | DateTimeParseException | ClassCastException e) {
      throw new IllegalArgumentException("value '" + raw + "' is not a " + t, e);
    }
    throw new IllegalArgumentException("type " + t + " cannot be read from text");
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
