package dev.tributary.gpu;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A device simulated on the host ({@link Gpus#simulated}): its memory is native host memory of
 * a fixed capacity (refused beyond it, as a full device refuses), its kernels the host's, and it
 * remembers which threads touched it, so pipelines of GPU stages — threads, accounting, memory
 * after cancel and error — can be tested on machines without a GPU.
 */
final class SimulatedDevice implements DeviceBackend {
  private final String name;
  private final Memory memory;
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private volatile Thread attachedOn;
  private volatile Thread detachedOn;

  SimulatedDevice(String name, long capacityBytes) {
    this.name = name;
    this.memory = new Memory(capacityBytes);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void attach() {
    attachedOn = Thread.currentThread();
    threads.add(attachedOn);
  }

  @Override
  public DeviceAllocator allocator() {
    return memory;
  }

  @Override
  public Kernels kernels() {
    return HostKernels.INSTANCE;
  }

  @Override
  public void detach() {
    detachedOn = Thread.currentThread();
    threads.add(detachedOn);
  }

  /** The bytes allocated on it now (its arena's accounting aside). */
  long allocatedBytes() {
    return memory.allocatedBytes();
  }

  /** Every thread that attached, allocated, freed, copied or detached it. */
  Set<Thread> threads() {
    return Set.copyOf(threads);
  }

  /** The thread it was attached on, or null if never used. */
  Thread attachedOn() {
    return attachedOn;
  }

  /** The thread it was detached on, or null if not yet. */
  Thread detachedOn() {
    return detachedOn;
  }

  /** Native host memory standing in for the device's, refused beyond the capacity. */
  private final class Memory implements DeviceAllocator {
    private final long capacity;
    private final Map<Long, Long> sizes = new HashMap<>();
    private long allocated;

    Memory(long capacity) {
      this.capacity = capacity;
    }

    synchronized long allocatedBytes() {
      return allocated;
    }

    @Override
    public String device() {
      return name;
    }

    @Override
    public synchronized long freeBytes() {
      return capacity - allocated;
    }

    @Override
    public synchronized long allocate(long bytes) {
      threads.add(Thread.currentThread());
      if (allocated + bytes > capacity) {
        return 0;
      }
      long address = MemoryUtil.allocateMemory(bytes);
      sizes.put(address, bytes);
      allocated += bytes;
      return address;
    }

    @Override
    public synchronized void free(long handle) {
      threads.add(Thread.currentThread());
      Long bytes = sizes.remove(handle);
      if (bytes == null) {
        throw new IllegalStateException("freed twice or never allocated: " + handle);
      }
      MemoryUtil.freeMemory(handle);
      allocated -= bytes;
    }

    @Override
    public void copyToDevice(long handle, long offset, long hostAddress, long bytes) {
      threads.add(Thread.currentThread());
      MemoryUtil.copyMemory(hostAddress, handle + offset, bytes);
    }

    @Override
    public void copyToHost(long hostAddress, long handle, long offset, long bytes) {
      threads.add(Thread.currentThread());
      MemoryUtil.copyMemory(handle + offset, hostAddress, bytes);
    }
  }
}
