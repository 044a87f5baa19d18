package dev.tributary.gpu;

import dev.tributary.error.TributaryException;
import dev.tributary.memory.Bytes;

/**
 * A device allocation was refused: it would break the device arena's limit, or the device itself
 * ran out of memory (another process may hold it). Nothing was allocated; the call that asked
 * fails, the device and the pipeline's other memory are untouched.
 */
public final class DeviceMemoryException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final String device;
  private final String account;
  private final long requestedBytes;
  private final long heldBytes;
  private final long limitBytes;

  DeviceMemoryException(String device, String account, long requestedBytes, long heldBytes,
      long limitBytes, boolean deviceFull) {
    super(String.format("stage '%s' cannot take %s of device memory on %s: %s. Lower the batch"
            + " size of the GPU stage (rebatch before it), or raise the runtime's"
            + " gpuMemoryFraction.",
        account, Bytes.format(requestedBytes), device, deviceFull
            ? "the device is out of memory (the arena holds " + Bytes.format(heldBytes)
                + "; other processes may hold the rest)"
            : "the device arena holds " + Bytes.format(heldBytes) + " of its "
                + Bytes.format(limitBytes) + " limit"));
    this.device = device;
    this.account = account;
    this.requestedBytes = requestedBytes;
    this.heldBytes = heldBytes;
    this.limitBytes = limitBytes;
  }

  /** The device's name. */
  public String device() {
    return device;
  }

  /** The account (stage) the memory was requested for. */
  public String account() {
    return account;
  }

  /** The bytes requested. */
  public long requestedBytes() {
    return requestedBytes;
  }

  /** What the device arena held when the request failed. */
  public long heldBytes() {
    return heldBytes;
  }

  /** The device arena's limit. */
  public long limitBytes() {
    return limitBytes;
  }
}
