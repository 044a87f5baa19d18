package dev.tributary.memory;

import dev.tributary.error.TributaryException;

/**
 * Thrown when a block cannot be written to or read back from a {@link SpillStore}: the store is
 * full, its file is gone, or a handle does not belong to it. A failed write leaves nothing
 * behind in the store.
 */
public final class SpillException extends TributaryException {
  private static final long serialVersionUID = 1L;

  SpillException(String message, Throwable cause) {
    super(message, cause);
  }
}
