package dev.tributary.memory;

import dev.tributary.error.TributaryException;

/**
 * Thrown when an allocation or a block transfer would break a hard memory limit: the arena's, an
 * execution's (its scope's cap) or an account's.
 *
 * <p>Nothing was allocated or moved when this is thrown; the caller still owns what it held.
 */
public final class MemoryLimitExceededException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final String account;
  private final long requestedBytes;
  private final long limitBytes;
  private final long heldBytes;

  /** What the message advises unless the caller knows better. */
  static final String ADVICE = "Lower the batch or block size, release blocks sooner, or raise"
      + " the memory limit.";

  MemoryLimitExceededException(
      String account, String limitOwner, long requestedBytes, long heldBytes, long limitBytes,
      String advice, Throwable cause) {
    super(
        String.format("account '%s' cannot take %s: %s holds %s of its %s hard limit. %s",
            account, Bytes.format(requestedBytes), limitOwner, Bytes.format(heldBytes),
            Bytes.format(limitBytes), advice),
        cause);
    this.account = account;
    this.requestedBytes = requestedBytes;
    this.limitBytes = limitBytes;
    this.heldBytes = heldBytes;
  }

  /** The name of the account the memory was requested for. */
  public String account() {
    return account;
  }

  /** The number of bytes requested. */
  public long requestedBytes() {
    return requestedBytes;
  }

  /** The hard limit that would have been broken, in bytes. */
  public long limitBytes() {
    return limitBytes;
  }

  /** The bytes held under that limit when the request failed. */
  public long heldBytes() {
    return heldBytes;
  }
}
