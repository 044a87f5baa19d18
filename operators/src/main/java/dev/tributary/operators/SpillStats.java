package dev.tributary.operators;

import dev.tributary.memory.Bytes;
import java.util.Locale;

/**
 * What an operator moved to and from its spill store.
 *
 * @param bytesSpilled bytes written to disk
 * @param bytesRestored bytes read back
 * @param spillNanos wall time writing
 * @param restoreNanos wall time reading back
 */
public record SpillStats(long bytesSpilled, long bytesRestored, long spillNanos,
    long restoreNanos) {
  /** An operator that spilled nothing. */
  public static final SpillStats NONE = new SpillStats(0, 0, 0, 0);

  /** The sum of this and {@code other}. */
  public SpillStats plus(SpillStats other) {
    return new SpillStats(bytesSpilled + other.bytesSpilled, bytesRestored + other.bytesRestored,
        spillNanos + other.spillNanos, restoreNanos + other.restoreNanos);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "spilled %s in %.1f ms, restored %s in %.1f ms",
        Bytes.format(bytesSpilled), spillNanos / 1e6, Bytes.format(bytesRestored),
        restoreNanos / 1e6);
  }
}
