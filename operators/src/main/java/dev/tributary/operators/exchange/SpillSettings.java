package dev.tributary.operators.exchange;

import dev.tributary.memory.Bytes;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how much an exchange may spill.
 *
 * @param directory the directory spill files are created in (and deleted from)
 * @param capacityBytes the most bytes one exchange may keep on disk
 */
public record SpillSettings(Path directory, long capacityBytes) {
  /** Default spill capacity of one exchange. */
  public static final long DEFAULT_CAPACITY_BYTES = 64 * Bytes.GiB;

  /** Checks the arguments. */
  public SpillSettings {
    Objects.requireNonNull(directory, "directory");
    if (capacityBytes <= 0) {
      throw new IllegalArgumentException("capacityBytes must be positive, was " + capacityBytes);
    }
  }

  /**
   * {@code tributary-spill} under {@code java.io.tmpdir} (or the {@code tributary.spill.dir}
   * system property), {@link #DEFAULT_CAPACITY_BYTES}.
   */
  public static SpillSettings defaults() {
    String dir = System.getProperty("tributary.spill.dir");
    Path directory = dir != null ? Path.of(dir)
        : Path.of(System.getProperty("java.io.tmpdir"), "tributary-spill");
    return new SpillSettings(directory, DEFAULT_CAPACITY_BYTES);
  }
}
