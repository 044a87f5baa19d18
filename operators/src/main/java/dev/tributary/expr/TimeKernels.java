package dev.tributary.expr;

import dev.tributary.expr.Expr.Op;
import java.time.ZoneId;
import java.util.List;

/**
 * Date and time parts and truncation by epoch arithmetic: a timestamp is split into a day number
 * and the microseconds into that day, and the day number into year, month and day by {@link
 * Civil}; a zoned timestamp is first moved to wall-clock time with offsets resolved once per
 * block ({@link ZoneOffsets}). No value becomes an object.
 */
final class TimeKernels {
  private TimeKernels() {}

  /** The part {@code e.op} of each value of {@code x}, int64. */
  static Vec part(Expr e, Vec x) {
    int n = x.n;
    long[] local = wallClock(x);
    boolean date = x.type == ExprType.DATE;
    long[] r = new long[n];
    long[] days = new long[n];
    long[] micros = new long[n];
    for (int i = 0; i < n; i++) {
      days[i] = date ? local[i] : Math.floorDiv(local[i], Civil.MICROS_PER_DAY);
      micros[i] = date ? 0 : Math.floorMod(local[i], Civil.MICROS_PER_DAY);
    }
    switch (e.op) {
      case YEAR -> {
        for (int i = 0; i < n; i++) {
          r[i] = Civil.year(days[i]);
        }
      }
      case QUARTER -> {
        for (int i = 0; i < n; i++) {
          r[i] = (Civil.month(days[i]) + 2) / 3;
        }
      }
      case MONTH -> {
        for (int i = 0; i < n; i++) {
          r[i] = Civil.month(days[i]);
        }
      }
      case DAY -> {
        for (int i = 0; i < n; i++) {
          r[i] = Civil.dayOfMonth(days[i]);
        }
      }
      case DAY_OF_WEEK -> {
        for (int i = 0; i < n; i++) {
          r[i] = Civil.isoDayOfWeek(days[i]);
        }
      }
      case DAY_OF_YEAR -> {
        for (int i = 0; i < n; i++) {
          r[i] = days[i] - Civil.days(Civil.year(days[i]), 1, 1) + 1;
        }
      }
      case HOUR -> {
        for (int i = 0; i < n; i++) {
          r[i] = micros[i] / Civil.MICROS_PER_HOUR;
        }
      }
      case MINUTE -> {
        for (int i = 0; i < n; i++) {
          r[i] = micros[i] / Civil.MICROS_PER_MINUTE % 60;
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          r[i] = micros[i] / Civil.MICROS_PER_SECOND % 60;
        }
      }
    }
    return Vec.ofLongs(r, n, x.valid);
  }

  /** The units of {@link Expr#dateTrunc}, finest last; from "hour" on, finer than a day. */
  static final List<String> UNITS = List.of("year", "quarter", "month", "week", "day",
      "hour", "minute", "second");
  private static final int HOUR = UNITS.indexOf("hour");

  /** Each value of {@code x} truncated to {@code unit}, of {@code x}'s type. */
  static Vec truncate(Vec x, String unit) {
    int n = x.n;
    boolean date = x.type == ExprType.DATE;
    int u = UNITS.indexOf(unit);
    if (date && u >= HOUR) {
      return x;
    }
    ZoneOffsets zone = offsets(x);
    long[] in = x.longs;
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      long local = zone == null ? in[i] : in[i] + zone.offset(in[i]);
      long days = date ? local : Math.floorDiv(local, Civil.MICROS_PER_DAY);
      long t = switch (u) {
        case 0 -> Civil.days(Civil.year(days), 1, 1);
        case 1 -> Civil.days(Civil.year(days), (Civil.month(days) - 1) / 3 * 3 + 1, 1);
        case 2 -> Civil.days(Civil.year(days), Civil.month(days), 1);
        case 3 -> days - Civil.isoDayOfWeek(days) + 1;
        case 4 -> days;
        case 5 -> floor(local, Civil.MICROS_PER_HOUR);
        case 6 -> floor(local, Civil.MICROS_PER_MINUTE);
        default -> floor(local, Civil.MICROS_PER_SECOND);
      };
      long truncated = date || u >= HOUR ? t : t * Civil.MICROS_PER_DAY;
      r[i] = zone == null ? truncated : zone.toUtc(truncated);
    }
    return Vec.ofLongs(x.type, r, n, x.valid, x.zone);
  }

  private static long floor(long v, long unit) {
    return Math.floorDiv(v, unit) * unit;
  }

  /**
   * The wall-clock values of {@code x}: itself unless it is zoned, else shifted by its zone's
   * offsets (one offset for the block when the zone has no transition in its range),
   * computed once per column and block however many parts are taken.
   */
  static long[] wallClock(Vec x) {
    if (x.wallClock != null) {
      return x.wallClock;
    }
    ZoneOffsets zone = offsets(x);
    if (zone == null) {
      return x.longs;
    }
    long[] r = new long[x.n];
    if (zone.fixed()) {
      long off = zone.offset(0);
      for (int i = 0; i < x.n; i++) {
        r[i] = x.longs[i] + off;
      }
    } else {
      for (int i = 0; i < x.n; i++) {
        r[i] = x.longs[i] + zone.offset(x.longs[i]);
      }
    }
    x.wallClock = r;
    return r;
  }

  /** The offsets of a zoned column over its block's range, or null for other columns. */
  static ZoneOffsets offsets(Vec x) {
    if (x.type != ExprType.TIMESTAMP_TZ) {
      return null;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < x.n; i++) {
      if (x.isValid(i)) {
        min = Math.min(min, x.longs[i]);
        max = Math.max(max, x.longs[i]);
      }
    }
    return ZoneOffsets.of(ZoneId.of(x.zone), min > max ? 0 : min, min > max ? 0 : max);
  }
}
