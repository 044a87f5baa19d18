package dev.tributary.gpu;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A device for tests on any machine: its "device memory" is host memory of a fixed capacity (so
 * the host kernels can run on it), and it records which threads touched it.
 */
final class FakeDevice implements DeviceBackend {
  final FakeAllocator allocator;
  final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  volatile Thread attachedOn;
  volatile Thread detachedOn;
  private final String name;

  FakeDevice(String name, long capacity) {
    this.name = name;
    this.allocator = new FakeAllocator(name, capacity, threads);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void attach() {
    attachedOn = Thread.currentThread();
  }

  @Override
  public DeviceAllocator allocator() {
    return allocator;
  }

  @Override
  public Kernels kernels() {
    return HostKernels.INSTANCE;
  }

  @Override
  public void detach() {
    detachedOn = Thread.currentThread();
  }

  /** Host memory standing in for a device's: refuses (returns 0) beyond its capacity. */
  static final class FakeAllocator implements DeviceAllocator {
    private final String name;
    private final long capacity;
    private final Set<Thread> threads;
    private final Map<Long, Long> sizes = new HashMap<>();
    private long allocated;

    FakeAllocator(String name, long capacity, Set<Thread> threads) {
      this.name = name;
      this.capacity = capacity;
      this.threads = threads;
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
