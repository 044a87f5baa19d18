package dev.tributary.gpu;

/**
 * One device as its worker thread drives it: CUDA's ({@link CudaDevice}) or a test's. {@link
 * #attach()}, the allocator and kernels, and {@link #detach()} are all used on that one thread,
 * so a CUDA context never changes threads.
 */
interface DeviceBackend {
  /** The device's name (e.g. {@code cuda:0}; after attach, with the model). */
  String name();

  /** Makes the device current on the calling thread (the device's worker); once. */
  void attach();

  /** Its memory. */
  DeviceAllocator allocator();

  /** Its kernels. */
  Kernels kernels();

  /** Releases what attach took, on the same thread; the backend is not used afterwards. */
  void detach();
}
