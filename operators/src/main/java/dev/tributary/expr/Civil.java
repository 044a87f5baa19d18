package dev.tributary.expr;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), as plain integer
 * math so that date parts of a column are a loop without objects (H. Hinnant's civil-from-days).
 */
final class Civil {
  static final long MICROS_PER_DAY = 86_400_000_000L;
  static final long MICROS_PER_HOUR = 3_600_000_000L;
  static final long MICROS_PER_MINUTE = 60_000_000L;
  static final long MICROS_PER_SECOND = 1_000_000L;

  private Civil() {}

  /** The year of day {@code days}. */
  static long year(long days) {
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10 ? 1 : 0);
  }

  /** The month (1 to 12) of day {@code days}. */
  static long month(long days) {
    long mp = (5 * dayOfMarchYear(days) + 2) / 153;
    return mp < 10 ? mp + 3 : mp - 9;
  }

  /** The day of the month (1 to 31) of day {@code days}. */
  static long dayOfMonth(long days) {
    long doy = dayOfMarchYear(days);
    long mp = (5 * doy + 2) / 153;
    return doy - (153 * mp + 2) / 5 + 1;
  }

  /** Days since the 1st of March before {@code days} (the civil algorithm's year starts then). */
  private static long dayOfMarchYear(long days) {
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    return doe - (365 * yoe + yoe / 4 - yoe / 100);
  }

  /** The day number of {@code year-month-day}. */
  static long days(long year, long month, long day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }

  /** ISO day of week: Monday 1 to Sunday 7 (1970-01-01 was a Thursday). */
  static long isoDayOfWeek(long days) {
    return Math.floorMod(days + 3, 7) + 1;
  }

  /** The day number of a literal date. */
  static long days(LocalDate d) {
    return d.toEpochDay();
  }

  /** Microseconds since 1970-01-01T00:00 of a wall-clock literal. */
  static long micros(LocalDateTime t) {
    return Math.addExact(Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), MICROS_PER_SECOND),
        t.getNano() / 1000);
  }

  /** Microseconds since the epoch of an instant literal. */
  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), MICROS_PER_SECOND),
        t.getNano() / 1000);
  }

  /** The long a temporal literal computes as. */
  static long encode(Object literal) {
    if (literal instanceof LocalDate d) {
      return days(d);
    }
    if (literal instanceof LocalDateTime t) {
      return micros(t);
    }
    return micros((Instant) literal);
  }
}
