package dev.tributary.gpu;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The kernels on the CPU (the fallback), over host addresses as handles; the same arithmetic in
 * the same order as the PTX kernels, so results differ only where the GPU fuses a multiply-add.
 */
final class HostKernels implements Kernels {
  static final HostKernels INSTANCE = new HostKernels();

  private HostKernels() {}

  @Override
  public void elementwise(Arithmetic op, int bytes, long a, long b, long out, long n) {
    if (bytes == 4) {
      for (long i = 0, at = 0; i < n; i++, at += 4) {
        float x = Float.intBitsToFloat(MemoryUtil.getInt(a + at));
        float y = Float.intBitsToFloat(MemoryUtil.getInt(b + at));
        MemoryUtil.putInt(out + at, Float.floatToRawIntBits(op.apply(x, y)));
      }
    } else {
      for (long i = 0, at = 0; i < n; i++, at += 8) {
        double x = Double.longBitsToDouble(MemoryUtil.getLong(a + at));
        double y = Double.longBitsToDouble(MemoryUtil.getLong(b + at));
        MemoryUtil.putLong(out + at, Double.doubleToRawLongBits(op.apply(x, y)));
      }
    }
  }

  @Override
  public void matmul(long a, long b, long c, int m, int k, int n) {
    // One output column at a time: a's columns stream through once per output column.
    float[] column = new float[m];
    for (int j = 0; j < n; j++) {
      java.util.Arrays.fill(column, 0f);
      for (int p = 0; p < k; p++) {
        float bpj = getFloat(b, p + (long) j * k);
        long aColumn = a + 4L * p * m;
        for (int i = 0; i < m; i++) {
          column[i] += Float.intBitsToFloat(MemoryUtil.getInt(aColumn + 4L * i)) * bpj;
        }
      }
      long cColumn = c + 4L * j * m;
      for (int i = 0; i < m; i++) {
        MemoryUtil.putInt(cColumn + 4L * i, Float.floatToRawIntBits(column[i]));
      }
    }
  }

  @Override
  public void biasActivation(long x, long bias, int m, int n, boolean relu) {
    for (int j = 0; j < n; j++) {
      float bj = getFloat(bias, j);
      long column = x + 4L * j * m;
      for (int i = 0; i < m; i++) {
        float v = Float.intBitsToFloat(MemoryUtil.getInt(column + 4L * i)) + bj;
        MemoryUtil.putInt(column + 4L * i, Float.floatToRawIntBits(relu && v < 0f ? 0f : v));
      }
    }
  }

  @Override
  public void synchronize() {
    // Host kernels finish before they return.
  }

  private static float getFloat(long base, long index) {
    return Float.intBitsToFloat(MemoryUtil.getInt(base + 4L * index));
  }
}
