package dev.tributary.memory;

import java.util.Locale;

/** Human-readable byte sizes for messages and reports. */
public final class Bytes {
  /** One kibibyte. */
  public static final long KiB = 1024L;
  /** One mebibyte. */
  public static final long MiB = 1024L * KiB;
  /** One gibibyte. */
  public static final long GiB = 1024L * MiB;

  private Bytes() {}

  /** Formats a byte count with a binary unit, e.g. {@code 64.0 MiB}. */
  public static String format(long bytes) {
    long abs = Math.abs(bytes);
    if (abs < KiB) {
      return bytes + " B";
    }
    if (abs < MiB) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) KiB);
    }
    if (abs < GiB) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MiB);
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) GiB);
  }
}
