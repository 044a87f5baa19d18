package dev.tributary.expr;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The types expressions compute in. Input columns are read into the nearest one: every signed
 * or unsigned integer narrower than 64 bits and int64 as {@link #INT64}, float32 and float64 as
 * {@link #FLOAT64}; a column an expression only passes through keeps its own type.
 */
public enum ExprType {
  /** Booleans (Arrow {@code Bool}). */
  BOOLEAN(ArrowType.Bool.INSTANCE),
  /** 64-bit signed integers (Arrow {@code Int(64, signed)}). */
  INT64(new ArrowType.Int(64, true)),
  /** IEEE 754 doubles (Arrow {@code FloatingPoint(DOUBLE)}). */
  FLOAT64(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
  /** UTF-8 strings (Arrow {@code Utf8}). */
  UTF8(ArrowType.Utf8.INSTANCE);

  private final ArrowType arrow;

  ExprType(ArrowType arrow) {
    this.arrow = arrow;
  }

  /** The Arrow type a computed column of this type has. */
  public ArrowType arrowType() {
    return arrow;
  }

  /** Whether it is {@link #INT64} or {@link #FLOAT64}. */
  public boolean isNumeric() {
    return this == INT64 || this == FLOAT64;
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
    if (type instanceof ArrowType.Bool) {
      return BOOLEAN;
    }
    return type instanceof ArrowType.Utf8 ? UTF8 : null;
  }
}
