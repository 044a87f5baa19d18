package dev.tributary.gpu;

import dev.tributary.memory.Bytes;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Device memory as an account: one arena per device, with its own hard limit (by default a
 * fraction of the memory free on the device when it was opened), divided into {@link
 * DeviceAccount}s, one per running call of a GPU stage.
 *
 * <p>An allocation that would break the limit, or that the device refuses, fails with a {@link
 * DeviceMemoryException}; nothing is allocated then. Closing the arena is the leak check, as for
 * host arenas: memory still held is freed and reported in a {@link DeviceMemoryLeakException}.
 * The allocator behind it is a {@link DeviceAllocator}: CUDA's, the host's (CPU fallback), or a
 * test's.
 */
public final class DeviceArena implements AutoCloseable {
  private final DeviceAllocator allocator;
  private final long limitBytes;
  private final AtomicLong held = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final Set<DeviceAccount> accounts = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private DeviceArena(DeviceAllocator allocator, long limitBytes) {
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("limitBytes must be positive, was " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** An arena over {@code allocator} that holds at most {@code limitBytes}. */
  public static DeviceArena create(DeviceAllocator allocator, long limitBytes) {
    return new DeviceArena(allocator, limitBytes);
  }

  /**
   * An arena whose limit is {@code fraction} of the memory free on the device now.
   *
   * @throws IllegalArgumentException unless {@code 0 < fraction <= 1}
   */
  public static DeviceArena ofFreeMemory(DeviceAllocator allocator, double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction);
    }
    return new DeviceArena(allocator, Math.max(1, (long) (allocator.freeBytes() * fraction)));
  }

  /** Opens an account named {@code name} (the stage it charges). */
  public DeviceAccount open(String name) {
    if (closed) {
      throw new IllegalStateException("device arena of " + device() + " is closed");
    }
    DeviceAccount account = new DeviceAccount(Objects.requireNonNull(name, "name"), this);
    accounts.add(account);
    return account;
  }

  /** The device's name. */
  public String device() {
    return allocator.device();
  }

  /** The hard limit, in bytes. */
  public long limitBytes() {
    return limitBytes;
  }

  /** The device bytes its accounts hold now. */
  public long heldBytes() {
    return held.get();
  }

  /** The most device bytes held at once since it was opened. */
  public long peakBytes() {
    return peak.get();
  }

  /** Bytes held per open account name (accounts of the same name summed), by name. */
  public Map<String, Long> usage() {
    Map<String, Long> usage = new TreeMap<>();
    accounts.forEach(a -> usage.merge(a.name(), a.heldBytes(), Long::sum));
    return usage;
  }

  /**
   * Closes the arena: frees what accounts still hold.
   *
   * @throws DeviceMemoryLeakException if any account held memory, naming each
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    StringBuilder leaks = new StringBuilder();
    long leaked = 0;
    for (DeviceAccount account : accounts) {
      long bytes = account.heldBytes();
      if (bytes > 0) {
        leaks.append(leaks.length() == 0 ? "" : ", ").append('\'').append(account.name())
            .append("' ").append(Bytes.format(bytes));
        leaked += bytes;
      }
      account.close();
    }
    if (leaked > 0) {
      throw new DeviceMemoryLeakException("device arena of " + device() + " closed while "
          + leaks + " were still held (now freed): a call was still running", leaked);
    }
  }

  DeviceAllocator allocator() {
    return allocator;
  }

  /** Allocates {@code bytes} for {@code account}, within the limit. */
  long allocate(DeviceAccount account, long bytes) {
    long now;
    do {
      now = held.get();
      if (now + bytes > limitBytes) {
        throw new DeviceMemoryException(device(), account.name(), bytes, now, limitBytes, false);
      }
    } while (!held.compareAndSet(now, now + bytes));
    long handle;
    try {
      handle = allocator.allocate(bytes);
    } catch (RuntimeException | Error e) {
      held.addAndGet(-bytes);
      throw e;
    }
    if (handle == 0) {
      long before = held.addAndGet(-bytes);
      throw new DeviceMemoryException(device(), account.name(), bytes, before, limitBytes, true);
    }
    peak.accumulateAndGet(now + bytes, Math::max);
    return handle;
  }

  void free(long handle, long bytes) {
    try {
      allocator.free(handle);
    } finally {
      held.addAndGet(-bytes);
    }
  }

  void closed(DeviceAccount account) {
    accounts.remove(account);
  }

  @Override
  public String toString() {
    return "DeviceArena[" + device() + ", " + Bytes.format(heldBytes()) + " of "
        + Bytes.format(limitBytes) + "]";
  }
}
