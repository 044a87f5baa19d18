package dev.tributary.gpu;

/**
 * The kernels of a device, on its memory handles (see {@link DeviceAllocator}); called on the
 * device's thread. Matrices are column-major, float32.
 */
interface Kernels {
  /** {@code out[i] = a[i] op b[i]} for {@code n} elements of {@code bytes} bytes (4 or 8). */
  void elementwise(Arithmetic op, int bytes, long a, long b, long out, long n);

  /** {@code c[m x n] = a[m x k] * b[k x n]}. */
  void matmul(long a, long b, long c, int m, int k, int n);

  /** {@code x[m x n] += bias[n]} per column, then {@code max(x, 0)} if {@code relu}. */
  void biasActivation(long x, long bias, int m, int n, boolean relu);

  /** Waits until every kernel launched so far has finished. */
  void synchronize();
}
