package dev.tributary.gpu;

import dev.tributary.error.TributaryException;

/**
 * A device arena was closed while accounts still held device memory (a call still running when
 * its runtime closed); the memory was freed and the message names each account and its bytes.
 */
public final class DeviceMemoryLeakException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final long leakedBytes;

  DeviceMemoryLeakException(String message, long leakedBytes) {
    super(message);
    this.leakedBytes = leakedBytes;
  }

  /** The device bytes still held when the arena closed. */
  public long leakedBytes() {
    return leakedBytes;
  }
}
