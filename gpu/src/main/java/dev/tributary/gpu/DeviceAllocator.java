package dev.tributary.gpu;

/**
 * Raw memory of one device: what a {@link DeviceArena} charges its accounts for. The CUDA
 * implementation calls {@code cuMemAlloc}/{@code cuMemFree}/{@code cuMemcpy*}; the host
 * implementation (the CPU fallback) hands out Arrow buffers; tests plug in a fake to check the
 * accounting on any machine.
 *
 * <p>Memory is named by an opaque handle ({@code 0} is never a handle). Every method is called on
 * the device's own thread, one call at a time.
 */
public interface DeviceAllocator {
  /** The device's name, for reports and errors (e.g. {@code cuda:0 NVIDIA H200}). */
  String device();

  /** The device memory free right now, in bytes (what an arena's limit is a fraction of). */
  long freeBytes();

  /**
   * Allocates {@code bytes} (> 0) of device memory.
   *
   * @return the handle of the new memory, or {@code 0} when the device is out of memory (the
   *     arena turns that into a {@link DeviceMemoryException})
   */
  long allocate(long bytes);

  /** Frees the memory of {@code handle}. */
  void free(long handle);

  /**
   * Copies {@code bytes} from host memory at {@code hostAddress} (off-heap, e.g. an Arrow buffer's
   * address) to the device memory of {@code handle}, starting {@code offset} bytes into it.
   */
  void copyToDevice(long handle, long offset, long hostAddress, long bytes);

  /**
   * Copies {@code bytes} from the device memory of {@code handle}, starting {@code offset} bytes
   * into it, to host memory at {@code hostAddress}.
   */
  void copyToHost(long hostAddress, long handle, long offset, long bytes);
}
