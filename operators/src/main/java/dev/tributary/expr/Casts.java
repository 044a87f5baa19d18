package dev.tributary.expr;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
      long[] local = x.type == ExprType.TIMESTAMP_TZ ? TimeKernels.wallClock(x) : x.longs;
      Utf8Builder out = new Utf8Builder(n, n * 8);
      for (int i = 0; i < n; i++) {
        out.add(x.isValid(i) ? text(x, local, i) : "");
      }
      return out.build(x.valid);
    }
    if (to.isTemporal()) {
      return toTemporal(e, x, to);
    }
    if (x.type.isTemporal()) {
      // To int64 (the typing allows no other): days or microseconds since the epoch.
      return Vec.ofLongs(x.longs, n, x.valid);
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

  private static String text(Vec x, long[] local, int i) {
    return switch (x.type) {
      case INT64 -> Long.toString(x.longs[i]);
      case FLOAT64 -> Double.toString(x.doubles[i]);
      case BOOLEAN -> Boolean.toString(Vec.get(x.bits, i));
      case DATE -> LocalDate.ofEpochDay(x.longs[i]).toString();
      case TIMESTAMP -> dateTime(local[i]);
      case TIMESTAMP_TZ -> dateTime(local[i]) + ZoneOffset.ofTotalSeconds((int) ((local[i]
          - x.longs[i]) / Civil.MICROS_PER_SECOND));
      default -> x.string(i);
    };
  }

  /** {@code 2024-02-29 13:45:00} with {@code .5}, {@code .000001} ... when there are micros. */
  private static String dateTime(long micros) {
    long days = Math.floorDiv(micros, Civil.MICROS_PER_DAY);
    long t = Math.floorMod(micros, Civil.MICROS_PER_DAY);
    long s = t / Civil.MICROS_PER_SECOND;
    StringBuilder b = new StringBuilder(LocalDate.ofEpochDay(days).toString()).append(' ');
    b.append(two(s / 3600)).append(':').append(two(s / 60 % 60)).append(':').append(two(s % 60));
    long frac = t % Civil.MICROS_PER_SECOND;
    if (frac != 0) {
      String f = Long.toString(Civil.MICROS_PER_SECOND + frac).substring(1);
      b.append('.').append(f.replaceAll("0+$", ""));
    }
    return b.toString();
  }

  private static String two(long v) {
    return v < 10 ? "0" + v : Long.toString(v);
  }

  /**
   * {@code x} as a date or timestamp: from int64 as days or microseconds, from utf8 parsed (ISO,
   * with a space or {@code T} before the time), between temporal types as {@link Expr#cast}
   * says.
   */
  private static Vec toTemporal(Expr e, Vec x, ExprType to) {
    int n = x.n;
    long[] r = new long[n];
    String zone = to == ExprType.TIMESTAMP_TZ ? "UTC" : null;
    boolean toDate = to == ExprType.DATE;
    switch (x.type) {
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          if (toDate && x.isValid(i) && x.longs[i] != (int) x.longs[i]) {
            throw new ExpressionException(e.toString(), "row " + i + " of the block: "
                + x.longs[i] + " days is outside the dates Arrow holds (int32 days)");
          }
          r[i] = x.longs[i];
        }
      }
      case UTF8 -> {
        for (int i = 0; i < n; i++) {
          if (x.isValid(i)) {
            r[i] = parse(e, x, i, to);
          }
        }
      }
      case DATE -> {
        for (int i = 0; i < n; i++) {
          r[i] = x.longs[i] * Civil.MICROS_PER_DAY;
        }
      }
      default -> {
        // A timestamp: to a date, or to the other kind of timestamp (wall clock for a zoned one).
        long[] local = x.type == ExprType.TIMESTAMP_TZ && to != ExprType.TIMESTAMP_TZ
            ? TimeKernels.wallClock(x) : x.longs;
        for (int i = 0; i < n; i++) {
          r[i] = toDate ? Math.floorDiv(local[i], Civil.MICROS_PER_DAY) : local[i];
        }
      }
    }
    return Vec.ofLongs(to, r, n, x.valid, zone);
  }

  private static long parse(Expr e, Vec x, int i, ExprType to) {
    String s = x.string(i).trim();
    try {
      if (to == ExprType.DATE) {
        return LocalDate.parse(s).toEpochDay();
      }
      String iso = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + 'T'
          + s.substring(11) : s;
      if (to == ExprType.TIMESTAMP) {
        return Civil.micros(iso.length() == 10 ? LocalDate.parse(iso).atStartOfDay()
            : LocalDateTime.parse(iso));
      }
      return Civil.micros(OffsetDateTime.parse(iso).toInstant());
    } catch (DateTimeException | ArithmeticException bad) {
      throw new ExpressionException(e.toString(), "row " + i + " of the block: '" + s
          + "' is not " + (to == ExprType.DATE ? "an ISO date (2024-02-29)"
              : to == ExprType.TIMESTAMP ? "an ISO date-time (2024-02-29 13:45:00)"
              : "an ISO date-time with offset (2024-02-29 13:45:00+01:00 or ...Z)"));
    }
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
