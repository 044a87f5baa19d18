package dev.tributary.gpu;

import dev.tributary.memory.MemoryLeakException;

/**
 * A device arena was closed while accounts still held device memory (a call still running when
 * its runtime closed); the memory was freed and the message names each account and its bytes.
 */
public final class DeviceMemoryLeakException extends MemoryLeakException {
  private static final long serialVersionUID = 1L;

  DeviceMemoryLeakException(String message, long leakedBytes) {
    super(message, leakedBytes);
  }
}
