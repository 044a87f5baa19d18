package dev.tributary.gpu;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The device memory one call of a stage holds, in its device's {@link DeviceArena}: every
 * {@link DeviceBuffer} is charged to it until closed. Closing the account frees what is left,
 * so device memory never outlives the call that allocated it.
 */
public final class DeviceAccount implements AutoCloseable {
  private final String name;
  private final DeviceArena arena;
  private final Set<DeviceBuffer> live = ConcurrentHashMap.newKeySet();
  private final AtomicLong held = new AtomicLong();
  private volatile boolean closed;

  DeviceAccount(String name, DeviceArena arena) {
    this.name = name;
    this.arena = arena;
  }

  /** The account's name (the stage it charges). */
  public String name() {
    return name;
  }

  /** The arena it is charged in. */
  public DeviceArena arena() {
    return arena;
  }

  /** The device bytes its open buffers hold. */
  public long heldBytes() {
    return held.get();
  }

  /**
   * Allocates {@code bytes} of device memory (contents undefined).
   *
   * @throws DeviceMemoryException if the arena's limit or the device refuses it
   * @throws IllegalStateException if the account is closed
   */
  public DeviceBuffer allocate(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("bytes must be positive, was " + bytes);
    }
    if (closed) {
      throw new IllegalStateException("device account '" + name + "' is closed");
    }
    DeviceBuffer buffer = new DeviceBuffer(this, arena.allocate(this, bytes), bytes);
    held.addAndGet(bytes);
    live.add(buffer);
    return buffer;
  }

  /** Frees every buffer still open; the account takes no more allocations. */
  @Override
  public void close() {
    closed = true;
    List.copyOf(live).forEach(DeviceBuffer::close);
    arena.closed(this);
  }

  DeviceAllocator allocator() {
    return arena.allocator();
  }

  void released(DeviceBuffer buffer) {
    if (live.remove(Objects.requireNonNull(buffer))) {
      try {
        arena.free(buffer.rawHandle(), buffer.bytes());
      } finally {
        held.addAndGet(-buffer.bytes());
      }
    }
  }

  @Override
  public String toString() {
    return "DeviceAccount[" + name + ", " + held.get() + " bytes on " + arena.device() + "]";
  }
}
