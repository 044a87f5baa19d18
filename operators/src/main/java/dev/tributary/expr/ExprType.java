package dev.tributary.expr;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The types expressions compute in. Input columns are read into the nearest one: every signed
 * integer and every unsigned one narrower than 64 bits as {@link #INT64}, float32 and float64 as
 * {@link #FLOAT64}, Arrow dates of either unit as {@link #DATE} (days), timestamps of any unit as
 * {@link #TIMESTAMP} or {@link #TIMESTAMP_TZ} (microseconds; nanoseconds are floored), lists as
 * {@link #LIST} and structs as {@link #STRUCT}; a column an expression only passes through keeps
 * its own type.
 */
public enum ExprType {
  /** Booleans (Arrow {@code Bool}). */
  BOOLEAN(ArrowType.Bool.INSTANCE),
  /** 64-bit signed integers (Arrow {@code Int(64, signed)}). */
  INT64(new ArrowType.Int(64, true)),
  /** IEEE 754 doubles (Arrow {@code FloatingPoint(DOUBLE)}). */
  FLOAT64(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
  /** UTF-8 strings (Arrow {@code Utf8}). */
  UTF8(ArrowType.Utf8.INSTANCE),
  /** Calendar dates, days since 1970-01-01 (Arrow {@code Date(DAY)}). */
  DATE(new ArrowType.Date(DateUnit.DAY)),
  /**
   * Date-times without a zone (wall-clock time), microseconds since 1970-01-01T00:00 (Arrow
   * {@code Timestamp(MICROSECOND, null)}).
   */
  TIMESTAMP(new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
  /**
   * Instants, microseconds since 1970-01-01T00:00Z, shown in a zone (Arrow {@code
   * Timestamp(MICROSECOND, zone)}): parts and truncation use the column's zone; a computed one
   * keeps the zone of its input, {@code UTC} when it has none (a cast, an {@link
   * java.time.Instant} literal).
   */
  TIMESTAMP_TZ(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
  /** Lists (Arrow {@code List}); the element type comes from the column. */
  LIST(ArrowType.List.INSTANCE),
  /** Structs (Arrow {@code Struct}); the field types come from the column. */
  STRUCT(ArrowType.Struct.INSTANCE);

  private final ArrowType arrow;

  ExprType(ArrowType arrow) {
    this.arrow = arrow;
  }

  /**
   * The Arrow type a computed column of this type has ({@code UTC} for {@link #TIMESTAMP_TZ};
   * for {@link #LIST} and {@link #STRUCT} the children are those of the value).
   */
  public ArrowType arrowType() {
    return arrow;
  }

  /** Whether it is {@link #INT64} or {@link #FLOAT64}. */
  public boolean isNumeric() {
    return this == INT64 || this == FLOAT64;
  }

  /** Whether it is {@link #DATE}, {@link #TIMESTAMP} or {@link #TIMESTAMP_TZ}. */
  public boolean isTemporal() {
    return this == DATE || this == TIMESTAMP || this == TIMESTAMP_TZ;
  }

  /** Whether values are held as longs (int64, days, microseconds). */
  boolean usesLongs() {
    return this == INT64 || isTemporal();
  }

  /** The type an Arrow column is read as, or null when expressions cannot read it. */
  static ExprType of(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return i.getBitWidth() < 64 || i.getIsSigned() ? INT64 : null;
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() == FloatingPointPrecision.HALF ? null : FLOAT64;
    }
    if (type instanceof ArrowType.Decimal d) {
      // Read as doubles: DuckDB writes `i * 0.5` as a decimal, and expressions compute in float64.
      return d.getBitWidth() == 128 ? FLOAT64 : null;
    }
    if (type instanceof ArrowType.Date) {
      return DATE;
    }
    if (type instanceof ArrowType.Timestamp t) {
      return t.getTimezone() == null ? TIMESTAMP : TIMESTAMP_TZ;
    }
    if (type instanceof ArrowType.List) {
      return LIST;
    }
    if (type instanceof ArrowType.Struct) {
      return STRUCT;
    }
    if (type instanceof ArrowType.Bool) {
      return BOOLEAN;
    }
    return type instanceof ArrowType.Utf8 ? UTF8 : null;
  }
}
