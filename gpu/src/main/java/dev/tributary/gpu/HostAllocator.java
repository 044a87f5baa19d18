package dev.tributary.gpu;

import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The CPU fallback's "device" memory: Arrow buffers of the stage's own host account, so the
 * fallback is charged and governed like any host stage. A handle is the buffer's address.
 */
final class HostAllocator implements DeviceAllocator {
  private final BufferAllocator host;
  private final Map<Long, ArrowBuf> buffers = new HashMap<>();

  HostAllocator(BufferAllocator host) {
    this.host = host;
  }

  @Override
  public String device() {
    return "cpu";
  }

  @Override
  public long freeBytes() {
    return host.getHeadroom();
  }

  @Override
  public long allocate(long bytes) {
    // Arrow's OutOfMemoryException stays the host's typed memory error (Account.allocate).
    ArrowBuf buffer = host.buffer(bytes);
    buffers.put(buffer.memoryAddress(), buffer);
    return buffer.memoryAddress();
  }

  @Override
  public void free(long handle) {
    ArrowBuf buffer = buffers.remove(handle);
    if (buffer != null) {
      buffer.close();
    }
  }

  @Override
  public void copyToDevice(long handle, long offset, long hostAddress, long bytes) {
    MemoryUtil.copyMemory(hostAddress, handle + offset, bytes);
  }

  @Override
  public void copyToHost(long hostAddress, long handle, long offset, long bytes) {
    MemoryUtil.copyMemory(handle + offset, hostAddress, bytes);
  }
}
