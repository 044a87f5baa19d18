package dev.tributary.it;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Seeded random tables for the round-trip property test: a schema of the README's column types
 * (flat ones for CSV; lists, fixed-size lists and structs, nested, elsewhere) under names that
 * look alike ({@code a}, {@code A}, {@code "a "}, {@code a.b}, unicode), and rows of Java values
 * (the {@code JavaValues} mapping) that favour the edges: nulls, empty strings and blobs, NaN,
 * -0.0, infinities, unicode, the first and last dates and timestamps a unit can hold, decimals at
 * their full precision.
 */
final class RandomTables {
  /** A schema and its rows, each row a map from column name to Java value in schema order. */
  record Table(Schema schema, List<Map<String, Object>> rows) {}

  /** What a format can hold, so a table for it uses only those types. */
  enum Shape {
    /** Every type, nested at any depth (Parquet, Arrow IPC, JSON lines). */
    NESTED,
    /** Flat columns only (CSV). */
    FLAT,
    /** What DuckDB can also write, nested: no fixed-size types, zones only as UTC, no zoned ns. */
    DUCKDB_NESTED,
    /** What DuckDB can also write, flat, without binary (DuckDB writes it escaped, not base64). */
    DUCKDB_FLAT
  }

  private static final String ITEM = BaseRepeatedValueVector.DATA_VECTOR_NAME;
  /** Top-level names: alike but distinct, unicode, dots and spaces. */
  private static final String[] NAMES = {"a", "A", "a ", " a", "a.b", "a_b", "ü", "Ü", "名前",
      "x y", "émoji😀", "id", "ID", "_", "1st", "col"};
  /** Struct field names: unlike when case is ignored (DuckDB's structs ignore case). */
  private static final String[] CHILD_NAMES = {"a", "b.c", "ß", "x y", "日", "z "};
  private static final String[] STRINGS = {"", " ", "ünïcödé", "日本語", "😀 emoji", "a,b",
      "q\"uote", "line\nbreak", "crlf\r\nx", "tab\tx", "back\\slash", "null", "NULL", "NA",
      "'single'", " padded ", "#hash", "="};
  private static final TimeUnit[] UNITS = {TimeUnit.MILLISECOND, TimeUnit.MICROSECOND,
      TimeUnit.NANOSECOND};
  private static final String[] ZONES = {"UTC", "Asia/Tokyo", "America/New_York"};
  /**
   * Int64 nanoseconds hold 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z;
   * DuckDB reads the last (and the first but one) as its infinities, so one microsecond inside.
   */
  private static final Instant NANOS_MIN = Instant.ofEpochSecond(0, Long.MIN_VALUE + 1000);
  private static final Instant NANOS_MAX = Instant.ofEpochSecond(0, Long.MAX_VALUE - 1000);
  private static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private final Random random;
  private final Shape shape;

  private RandomTables(long seed, Shape shape) {
    this.random = new Random(seed);
    this.shape = shape;
  }

  /** A table of 1-8 columns and {@code rows} rows for {@code shape}, the same for one seed. */
  static Table generate(long seed, Shape shape, int rows) {
    return new RandomTables(seed, shape).table(rows);
  }

  private Table table(int rowCount) {
    int columns = 1 + random.nextInt(8);
    List<Field> fields = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    while (fields.size() < columns) {
      String name = random.nextInt(4) == 0 ? "c" + fields.size() : pick(NAMES);
      // DuckDB's tables ignore case: the DuckDB-written shapes keep names unlike without it.
      String key = duckDb() ? name.toLowerCase(Locale.ROOT) : name;
      if (taken.add(key)) {
        fields.add(field(name, 0));
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>(rowCount);
    for (int r = 0; r < rowCount; r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (Field f : fields) {
        row.put(f.getName(), value(f));
      }
      rows.add(row);
    }
    return new Table(new Schema(fields), rows);
  }

  private boolean duckDb() {
    return shape == Shape.DUCKDB_NESTED || shape == Shape.DUCKDB_FLAT;
  }

  private boolean nested() {
    return shape == Shape.NESTED || shape == Shape.DUCKDB_NESTED;
  }

  // ------------------------------------------------------------------------ schema

  private Field field(String name, int depth) {
    boolean nullable = depth > 0 || random.nextInt(6) != 0;
    int kinds = nested() && depth < 2 ? 16 : 13;
    ArrowType type;
    List<Field> children = null;
    switch (random.nextInt(kinds)) {
      case 0 -> type = new ArrowType.Int(8, true);
      case 1 -> type = new ArrowType.Int(16, true);
      case 2 -> type = new ArrowType.Int(32, true);
      case 3 -> type = new ArrowType.Int(64, true);
      case 4 -> type = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case 5 -> type = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case 6 -> type = ArrowType.Bool.INSTANCE;
      case 7, 8 -> type = ArrowType.Utf8.INSTANCE;
      case 9 -> type = shape == Shape.DUCKDB_FLAT ? ArrowType.Utf8.INSTANCE
          : !duckDb() && random.nextInt(3) == 0
              ? new ArrowType.FixedSizeBinary(1 + random.nextInt(4)) : ArrowType.Binary.INSTANCE;
      case 10 -> type = new ArrowType.Date(DateUnit.DAY);
      case 11 -> type = timestamp();
      case 12 -> {
        int precision = 1 + random.nextInt(38);
        type = new ArrowType.Decimal(precision, random.nextInt(precision + 1), 128);
      }
      case 13 -> {
        type = ArrowType.List.INSTANCE;
        children = List.of(field(ITEM, depth + 1));
      }
      case 14 -> {
        if (duckDb()) {
          type = ArrowType.List.INSTANCE;
          children = List.of(field(ITEM, depth + 1));
        } else {
          // A float32 tensor (float[] rows, its item nullable or not, as pyarrow makes it) or a
          // fixed-size list of another type (List rows).
          type = new ArrowType.FixedSizeList(1 + random.nextInt(4));
          Field item = field(ITEM, depth + 1);
          if (random.nextBoolean() || isFloat32(item)) {
            ArrowType f32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            item = new Field(ITEM, random.nextBoolean() ? FieldType.notNullable(f32)
                : FieldType.nullable(f32), null);
          }
          children = List.of(item);
        }
      }
      default -> {
        type = ArrowType.Struct.INSTANCE;
        List<Field> fields = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int n = 1 + random.nextInt(3); fields.size() < n; ) {
          String child = pick(CHILD_NAMES);
          if (names.add(child)) {
            fields.add(field(child, depth + 1));
          }
        }
        children = fields;
      }
    }
    FieldType ft = nullable ? FieldType.nullable(type) : FieldType.notNullable(type);
    return new Field(name, ft, children);
  }

  private ArrowType timestamp() {
    TimeUnit unit = UNITS[random.nextInt(UNITS.length)];
    String zone = random.nextBoolean() ? null
        : duckDb() ? "UTC" : ZONES[random.nextInt(ZONES.length)];
    if (duckDb() && zone != null && unit == TimeUnit.NANOSECOND) {
      unit = TimeUnit.MICROSECOND; // DuckDB has no zoned nanosecond timestamp
    }
    return new ArrowType.Timestamp(unit, zone);
  }

  // ------------------------------------------------------------------------ values

  private Object value(Field f) {
    if (f.isNullable() && random.nextInt(7) == 0) {
      return null;
    }
    ArrowType t = f.getType();
    if (t instanceof ArrowType.Int i) {
      return integer(i.getBitWidth());
    } else if (t instanceof ArrowType.FloatingPoint fp) {
      return fp.getPrecision() == FloatingPointPrecision.SINGLE ? (Object) floatValue()
          : (Object) doubleValue();
    } else if (t instanceof ArrowType.Bool) {
      return random.nextBoolean();
    } else if (t instanceof ArrowType.Utf8) {
      return random.nextInt(3) == 0 ? pick(STRINGS) + random.nextInt(10) : pick(STRINGS);
    } else if (t instanceof ArrowType.Binary) {
      byte[] b = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(9)];
      random.nextBytes(b);
      return b;
    } else if (t instanceof ArrowType.FixedSizeBinary fb) {
      byte[] b = new byte[fb.getByteWidth()];
      random.nextBytes(b);
      return b;
    } else if (t instanceof ArrowType.Date) {
      return date();
    } else if (t instanceof ArrowType.Timestamp ts) {
      Instant at = instant(ts.getUnit());
      return ts.getTimezone() == null ? LocalDateTime.ofInstant(at, ZoneOffset.UTC) : at;
    } else if (t instanceof ArrowType.Decimal d) {
      return decimal(d.getPrecision(), d.getScale());
    } else if (t instanceof ArrowType.List) {
      int n = random.nextInt(5) == 0 ? 0 : random.nextInt(4);
      List<Object> items = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        items.add(value(f.getChildren().get(0)));
      }
      return items;
    } else if (t instanceof ArrowType.FixedSizeList fl) {
      Field item = f.getChildren().get(0);
      if (isFloat32(item)) {
        float[] tensor = new float[fl.getListSize()];
        for (int k = 0; k < tensor.length; k++) {
          tensor[k] = floatValue();
        }
        return tensor;
      }
      List<Object> items = new ArrayList<>(fl.getListSize());
      for (int k = 0; k < fl.getListSize(); k++) {
        items.add(value(item));
      }
      return items;
    } else if (t instanceof ArrowType.Struct) {
      Map<String, Object> struct = new LinkedHashMap<>();
      for (Field child : f.getChildren()) {
        struct.put(child.getName(), value(child));
      }
      return struct;
    }
    throw new IllegalStateException("no values for " + t);
  }

  /**
   * Whether a fixed-size list of {@code item} is a tensor: {@code JavaValues} gives its rows as
   * {@code float[]}, which holds no null item, so tensors get none.
   */
  private static boolean isFloat32(Field item) {
    return item.getType() instanceof ArrowType.FloatingPoint fp
        && fp.getPrecision() == FloatingPointPrecision.SINGLE;
  }

  private Object integer(int bits) {
    long min = -(1L << (bits - 1));
    long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    long v = switch (random.nextInt(6)) {
      case 0 -> min;
      case 1 -> max;
      case 2 -> 0;
      case 3 -> -1;
      default -> bits == 64 ? random.nextLong() : min + (long) (random.nextDouble() * (max - min));
    };
    return switch (bits) {
      case 8 -> (byte) v;
      case 16 -> (short) v;
      case 32 -> (int) v;
      default -> v;
    };
  }

  private float floatValue() {
    return switch (random.nextInt(10)) {
      case 0 -> Float.NaN;
      case 1 -> -0.0f;
      case 2 -> random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
      case 3 -> random.nextBoolean() ? Float.MIN_VALUE : -Float.MAX_VALUE;
      default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6));
    };
  }

  private double doubleValue() {
    return switch (random.nextInt(10)) {
      case 0 -> Double.NaN;
      case 1 -> -0.0;
      case 2 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      case 3 -> random.nextBoolean() ? Double.MIN_VALUE : -Double.MAX_VALUE;
      case 4 -> 0.1 + 0.2; // not the shortest decimal of its neighbours
      default -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
    };
  }

  private LocalDate date() {
    return switch (random.nextInt(8)) {
      case 0 -> LocalDate.of(1, 1, 1);
      case 1 -> LocalDate.of(9999, 12, 31);
      case 2 -> LocalDate.of(1970, 1, 1);
      case 3 -> LocalDate.of(1582, 10, 4 + random.nextInt(2) * 11); // around the Gregorian switch
      default -> LocalDate.ofEpochDay(LocalDate.of(1, 1, 1).toEpochDay()
          + (long) (random.nextDouble() * (LocalDate.of(9999, 12, 31).toEpochDay()
              - LocalDate.of(1, 1, 1).toEpochDay())));
    };
  }

  /** An instant a column of {@code unit} holds exactly (nanoseconds only within int64). */
  private Instant instant(TimeUnit unit) {
    boolean nanos = unit == TimeUnit.NANOSECOND;
    Instant first = nanos ? NANOS_MIN : FIRST;
    Instant last = nanos ? NANOS_MAX : LAST;
    Instant at = switch (random.nextInt(8)) {
      case 0 -> first;
      case 1 -> last;
      case 2 -> Instant.EPOCH;
      case 3 -> Instant.EPOCH.minusNanos(1 + random.nextInt(999_999_999));
      default -> Instant.ofEpochSecond(first.getEpochSecond()
          + (long) (random.nextDouble() * (last.getEpochSecond() - first.getEpochSecond())),
          random.nextInt(1_000_000_000));
    };
    long perUnit = switch (unit) {
      case MILLISECOND -> 1_000_000;
      case MICROSECOND -> 1_000;
      default -> 1;
    };
    Instant aligned = at.minusNanos(at.getNano() % perUnit);
    return aligned.isBefore(first) ? aligned.plusNanos(perUnit) : aligned;
  }

  private BigDecimal decimal(int precision, int scale) {
    BigInteger largest = BigInteger.TEN.pow(precision).subtract(BigInteger.ONE);
    BigInteger unscaled = switch (random.nextInt(6)) {
      case 0 -> largest;
      case 1 -> largest.negate();
      case 2 -> BigInteger.ZERO;
      case 3 -> BigInteger.ONE.negate();
      default -> new BigInteger(largest.bitLength(), random).mod(largest.add(BigInteger.ONE))
          .multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1));
    };
    return new BigDecimal(unscaled, scale);
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }
}
