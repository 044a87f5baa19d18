package dev.tributary.expr;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;

/**
 * A zone's UTC offsets over the range of one block's instants, resolved once per block: a fixed
 * offset (UTC, {@code +02:00}, or a zone without a transition in the range) is one number, and
 * otherwise the few transitions in the range are searched per value, so no value goes through
 * {@link ZoneRules} (whose per-call cost dominated timestamp conversion).
 */
final class ZoneOffsets {
  /** Truncation to a year can reach back this far before the earliest value. */
  private static final long MARGIN_MICROS = 400 * Civil.MICROS_PER_DAY;

  /** Up to this many transitions are summed without branches rather than searched. */
  private static final int LINEAR = 16;

  /** Instants (micros) from which {@code offsets[k + 1]} holds; offsets[0] holds before. */
  private final long[] transitions;
  private final long[] offsets;
  /** {@code offsets[k + 1] - offsets[k]}: what passing transition k adds. */
  private final long[] steps;

  private ZoneOffsets(long[] transitions, long[] offsets) {
    this.transitions = transitions;
    this.offsets = offsets;
    this.steps = new long[transitions.length];
    for (int k = 0; k < steps.length; k++) {
      steps[k] = offsets[k + 1] - offsets[k];
    }
  }

  /** The offsets of {@code zone} for instants in {@code [min, max]} (micros). */
  static ZoneOffsets of(ZoneId zone, long min, long max) {
    ZoneRules rules = zone.getRules();
    if (rules.isFixedOffset()) {
      return new ZoneOffsets(new long[0],
          new long[] {rules.getOffset(Instant.EPOCH).getTotalSeconds() * Civil.MICROS_PER_SECOND});
    }
    Instant from = instant(min > Long.MIN_VALUE + MARGIN_MICROS ? min - MARGIN_MICROS : min);
    Instant to = instant(max < Long.MAX_VALUE - Civil.MICROS_PER_DAY
        ? max + Civil.MICROS_PER_DAY : max);
    List<Long> at = new ArrayList<>();
    List<Long> off = new ArrayList<>();
    off.add(rules.getOffset(from).getTotalSeconds() * Civil.MICROS_PER_SECOND);
    ZoneOffsetTransition t = rules.nextTransition(from);
    while (t != null && !t.getInstant().isAfter(to)) {
      at.add(t.getInstant().getEpochSecond() * Civil.MICROS_PER_SECOND);
      off.add(t.getOffsetAfter().getTotalSeconds() * Civil.MICROS_PER_SECOND);
      t = rules.nextTransition(t.getInstant());
    }
    return new ZoneOffsets(at.stream().mapToLong(Long::longValue).toArray(),
        off.stream().mapToLong(Long::longValue).toArray());
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, Civil.MICROS_PER_SECOND),
        Math.floorMod(micros, Civil.MICROS_PER_SECOND) * 1000);
  }

  /** Whether one offset holds over the whole range. */
  boolean fixed() {
    return transitions.length == 0;
  }

  /** The offset (micros) at instant {@code utc} (micros). */
  long offset(long utc) {
    if (transitions.length <= LINEAR) {
      // A block spans a few years at most: a sum without branches beats a search whose branches
      // mispredict on unsorted values.
      long off = offsets[0];
      for (int k = 0; k < transitions.length; k++) {
        off += steps[k] & -((transitions[k] - utc - 1) >>> 63);
      }
      return off;
    }
    int lo = 0;
    int hi = transitions.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (transitions[mid] <= utc) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return offsets[lo];
  }

  /**
   * The instant of wall-clock time {@code local} (micros); in a gap or an overlap, by the offset
   * in force just before or after it.
   */
  long toUtc(long local) {
    return local - offset(local - offset(local));
  }
}
