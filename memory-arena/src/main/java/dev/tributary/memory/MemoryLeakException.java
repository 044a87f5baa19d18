package dev.tributary.memory;

import dev.tributary.error.TributaryException;

/**
 * Thrown when an arena or account is closed while blocks still hold its memory; the message
 * names every account that still holds bytes, and how many. Device memory has its own subclass
 * ({@code DeviceMemoryLeakException} of the gpu module), so one catch covers both.
 */
public class MemoryLeakException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final long leakedBytes;

  /** For this package and the device arena's subclass. */
  protected MemoryLeakException(String message, long leakedBytes) {
    super(message);
    this.leakedBytes = leakedBytes;
  }

  /** The bytes still allocated when the close was attempted. */
  public long leakedBytes() {
    return leakedBytes;
  }
}
