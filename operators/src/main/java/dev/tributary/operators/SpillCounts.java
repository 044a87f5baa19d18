package dev.tributary.operators;

import dev.tributary.memory.Bytes;
import java.util.Locale;

/**
 * What an operator spilled to disk and read back.
 *
 * @param spilledBytes bytes written to its spill store
 * @param spillNanos time spent writing them
 * @param restoredBytes bytes read back
 * @param restoreNanos time spent reading them
 */
public record SpillCounts(long spilledBytes, long spillNanos, long restoredBytes,
    long restoreNanos) {
  /** Nothing spilled. */
  public static final SpillCounts NONE = new SpillCounts(0, 0, 0, 0);

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "spilled %s in %.1f ms, restored %s in %.1f ms",
        Bytes.format(spilledBytes), spillNanos / 1e6, Bytes.format(restoredBytes),
        restoreNanos / 1e6);
  }
}
