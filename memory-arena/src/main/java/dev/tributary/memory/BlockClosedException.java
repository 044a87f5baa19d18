package dev.tributary.memory;

import dev.tributary.error.TributaryException;

/**
 * Thrown on any use of a block after it was closed or transferred away, including a second
 * {@code close()}: a detected ownership bug rather than silent memory corruption.
 */
public final class BlockClosedException extends TributaryException {
  private static final long serialVersionUID = 1L;

  BlockClosedException(String message) {
    super(message);
  }
}
