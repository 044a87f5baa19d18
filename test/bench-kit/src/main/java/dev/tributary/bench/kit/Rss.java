package dev.tributary.bench.kit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's peak resident set size ({@code VmHWM} in {@code /proc/self/status}). */
public final class Rss {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private Rss() {}

  /**
   * Resets the peak to the current RSS (Linux: writing 5 to {@code clear_refs}), so the next
   * {@link #peakBytes()} covers only what ran since; returns false where that is not possible.
   */
  public static boolean resetPeak() {
    try {
      Files.writeString(CLEAR_REFS, "5");
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /** The peak RSS in bytes since start or the last {@link #resetPeak()}; -1 if unknown. */
  public static long peakBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
