package dev.tributary.gpu;

import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Device memory charged to a {@link DeviceAccount} until closed. Copies to and from the host go
 * straight between Arrow's off-heap memory and the device (no Java heap copy in between).
 */
public final class DeviceBuffer implements AutoCloseable {
  private final DeviceAccount account;
  private final long handle;
  private final long bytes;
  private volatile boolean closed;

  DeviceBuffer(DeviceAccount account, long handle, long bytes) {
    this.account = account;
    this.handle = handle;
    this.bytes = bytes;
  }

  /** Its size in bytes. */
  public long bytes() {
    return bytes;
  }

  /** Whether it was closed (its memory freed). */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Copies {@code length} bytes of {@code source} from {@code sourceIndex} into this buffer at
   * {@code offset}, straight from the Arrow buffer's off-heap address.
   *
   * @throws IndexOutOfBoundsException if either range is out of its buffer
   */
  public void copyFromHost(long offset, ArrowBuf source, long sourceIndex, long length) {
    check(offset, length);
    Objects.checkFromIndexSize(sourceIndex, length, source.capacity());
    account.allocator().copyToDevice(handle, offset, source.memoryAddress() + sourceIndex, length);
  }

  /**
   * Copies {@code length} bytes of this buffer from {@code offset} into {@code target} at
   * {@code targetIndex}, straight to the Arrow buffer's off-heap address.
   *
   * @throws IndexOutOfBoundsException if either range is out of its buffer
   */
  public void copyToHost(long offset, ArrowBuf target, long targetIndex, long length) {
    check(offset, length);
    Objects.checkFromIndexSize(targetIndex, length, target.capacity());
    account.allocator().copyToHost(target.memoryAddress() + targetIndex, handle, offset, length);
  }

  /** Frees its memory (once; later calls do nothing). */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      account.released(this);
    }
  }

  long handle() {
    if (closed) {
      throw new IllegalStateException("device buffer of " + bytes + " bytes is closed");
    }
    return handle;
  }

  /** The handle, closed or not (for freeing it). */
  long rawHandle() {
    return handle;
  }

  private void check(long offset, long length) {
    Objects.checkFromIndexSize(offset, length, bytes);
    handle();
  }

  @Override
  public String toString() {
    return "DeviceBuffer[" + bytes + " bytes" + (closed ? ", closed" : "") + "]";
  }
}
