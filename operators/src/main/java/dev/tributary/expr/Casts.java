package dev.tributary.expr;

import java.util.Locale;

/** {@code cast}: conversions between the expression types; failures name the row and value. */
final class Casts {
  /** 2^63 as a double: the first float64 above every int64. */
  private static final double TWO_63 = 9.223372036854775808E18;

  private Casts() {}

  static Vec cast(Expr e, Vec x, ExprType to) {
    if (x.type == to) {
      return x;
    }
    int n = x.n;
    if (to == ExprType.UTF8) {
      Utf8Builder out = new Utf8Builder(n, n * 8);
      for (int i = 0; i < n; i++) {
        out.add(x.isValid(i) ? text(x, i) : "");
      }
      return out.build(x.valid);
    }
    switch (to) {
      case FLOAT64 -> {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
          if (x.isValid(i)) {
            r[i] = switch (x.type) {
              case INT64 -> x.longs[i];
              case BOOLEAN -> Vec.get(x.bits, i) ? 1 : 0;
              default -> parseDouble(e, x, i);
            };
          }
        }
        return Vec.ofDoubles(r, n, x.valid);
      }
      case INT64 -> {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
          if (x.isValid(i)) {
            r[i] = switch (x.type) {
              case FLOAT64 -> toLong(e, x.doubles[i], i);
              case BOOLEAN -> Vec.get(x.bits, i) ? 1 : 0;
              default -> parseLong(e, x, i);
            };
          }
        }
        return Vec.ofLongs(r, n, x.valid);
      }
      default -> {
        long[] r = new long[Vec.words(n)];
        for (int i = 0; i < n; i++) {
          if (x.isValid(i) && switch (x.type) {
            case INT64 -> x.longs[i] != 0;
            case FLOAT64 -> x.doubles[i] != 0;
            default -> bool(e, x, i);
          }) {
            Vec.set(r, i);
          }
        }
        return Vec.ofBits(r, n, x.valid);
      }
    }
  }

  private static String text(Vec x, int i) {
    return switch (x.type) {
      case INT64 -> Long.toString(x.longs[i]);
      case FLOAT64 -> Double.toString(x.doubles[i]);
      case BOOLEAN -> Boolean.toString(Vec.get(x.bits, i));
      default -> x.string(i);
    };
  }

  private static long toLong(Expr e, double d, int row) {
    if (!(d >= -TWO_63 && d < TWO_63)) {
      throw new ExpressionException(e.toString(), "row " + row + " of the block: " + d
          + " does not fit an int64");
    }
    return (long) d;
  }

  private static double parseDouble(Expr e, Vec x, int i) {
    String s = x.string(i).trim();
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException bad) {
      throw new ExpressionException(e.toString(), "row " + i + " of the block: '" + s
          + "' is not a number");
    }
  }

  private static long parseLong(Expr e, Vec x, int i) {
    String s = x.string(i).trim();
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException bad) {
      throw new ExpressionException(e.toString(), "row " + i + " of the block: '" + s
          + "' is not an int64");
    }
  }

  private static boolean bool(Expr e, Vec x, int i) {
    String s = x.string(i).trim().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("false")) {
      return s.equals("true");
    }
    throw new ExpressionException(e.toString(), "row " + i + " of the block: '" + s
        + "' is not true or false");
  }
}
