package dev.tributary.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CPU fallback: off device threads, {@link Device#open} is the host, its memory charged to
 * the given (stage) allocator, with the same kernels as the GPU.
 */
class HostDeviceTest {
  private final BufferAllocator host = new RootAllocator();

  @AfterEach
  void nothingLeft() {
    assertThat(host.getAllocatedMemory()).isZero();
    host.close();
  }

  @ParameterizedTest
  @EnumSource(Arithmetic.class)
  void elementwiseOnDoublesMatchesJavaAndKeepsNulls(Arithmetic op) {
    try (Float8Vector a = doubles("a", 1000, 1); Float8Vector b = doubles("b", 1000, 2);
        Device device = Device.open("stage", host)) {
      a.setNull(3);
      b.setNull(7);
      assertThat(device.isGpu()).isFalse();
      assertThat(device.name()).isEqualTo("cpu");
      try (FieldVector r = device.elementwise(op, a, b, "r", host)) {
        Float8Vector out = (Float8Vector) r;
        assertThat(out.getValueCount()).isEqualTo(1000);
        for (int i = 0; i < 1000; i++) {
          if (i == 3 || i == 7) {
            assertThat(out.isNull(i)).isTrue();
          } else {
            assertThat(out.get(i)).isEqualTo(op.apply(a.get(i), b.get(i)));
          }
        }
      }
      assertThat(device.account().heldBytes()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Arithmetic.class)
  void elementwiseOnFloatsMatchesJava(Arithmetic op) {
    try (Float4Vector a = floats("a", 513, 3); Float4Vector b = floats("b", 513, 4);
        Device device = Device.open("stage", host);
        FieldVector r = device.elementwise(op, a, b, "r", host)) {
      for (int i = 0; i < 513; i++) {
        assertThat(((Float4Vector) r).get(i)).isEqualTo(op.apply(a.get(i), b.get(i)));
      }
    }
  }

  @Test
  void matmulAndBiasActivationMatchAPlainLoop() {
    int m = 37;
    int k = 19;
    int n = 5;
    Random random = new Random(7);
    float[] w = new float[k * n];
    float[] bias = new float[n];
    for (int i = 0; i < w.length; i++) {
      w[i] = random.nextFloat() - 0.5f;
    }
    for (int i = 0; i < n; i++) {
      bias[i] = random.nextFloat() - 0.5f;
    }
    List<Float4Vector> xs = new java.util.ArrayList<>();
    for (int p = 0; p < k; p++) {
      xs.add(floats("x" + p, m, 10 + p));
    }
    try (Device device = Device.open("mlp", host)) {
      DeviceBuffer x = device.upload(xs);
      DeviceBuffer wb = device.allocate(4L * k * n);
      DeviceBuffer bb = device.allocate(4L * n);
      try (Float4Vector wv = vector(w); Float4Vector bv = vector(bias)) {
        wb.copyFromHost(0, wv.getDataBuffer(), 0, 4L * k * n);
        bb.copyFromHost(0, bv.getDataBuffer(), 0, 4L * n);
      }
      DeviceBuffer y = device.allocate(4L * m * n);
      device.matmul(x, wb, y, m, k, n);
      device.biasActivation(y, bb, m, n, true);
      for (int j = 0; j < n; j++) {
        try (Float4Vector column = new Float4Vector("y" + j, host)) {
          column.allocateNew(m);
          column.setValueCount(m);
          device.download(y, 4L * m * j, column);
          for (int i = 0; i < m; i++) {
            float sum = 0f;
            for (int p = 0; p < k; p++) {
              sum += xs.get(p).get(i) * w[p + j * k];
            }
            float expected = Math.max(0f, sum + bias[j]);
            assertThat(column.get(i)).isEqualTo(expected);
          }
        }
      }
      assertThat(device.account().heldBytes()).isPositive();
      // Buffers left open are freed when the call's device closes.
    } finally {
      xs.forEach(Float4Vector::close);
    }
  }

  @Test
  void columnsAKernelCannotTakeAreTypedErrors() {
    try (Float8Vector a = doubles("a", 10, 1); Float4Vector f = floats("f", 10, 2);
        IntVector ints = new IntVector("i", host); VarCharVector text = new VarCharVector("t", host);
        Device device = Device.open("stage", host)) {
      ints.allocateNew(10);
      ints.setValueCount(10);
      text.allocateNew();
      text.setValueCount(0);
      assertThatThrownBy(() -> device.elementwise(Arithmetic.ADD, a, f, "r", host))
          .isInstanceOf(GpuException.class).hasMessageContaining("'a'").hasMessageContaining("'f'");
      assertThatThrownBy(() -> device.elementwise(Arithmetic.ADD, ints, ints, "r", host))
          .isInstanceOf(GpuException.class);
      assertThatThrownBy(() -> device.upload(text)).isInstanceOf(GpuException.class)
          .hasMessageContaining("fixed-width");
      assertThatThrownBy(() -> device.upload(List.of(a, f))).isInstanceOf(GpuException.class);
    }
  }

  private Float8Vector doubles(String name, int n, long seed) {
    Random random = new Random(seed);
    Float8Vector v = new Float8Vector(name, host);
    v.allocateNew(n);
    for (int i = 0; i < n; i++) {
      v.set(i, random.nextDouble() * 10 - 5);
    }
    v.setValueCount(n);
    return v;
  }

  private Float4Vector floats(String name, int n, long seed) {
    Random random = new Random(seed);
    Float4Vector v = new Float4Vector(name, host);
    v.allocateNew(n);
    for (int i = 0; i < n; i++) {
      v.set(i, random.nextFloat() * 10 - 5);
    }
    v.setValueCount(n);
    return v;
  }

  private Float4Vector vector(float[] values) {
    Float4Vector v = new Float4Vector("v", host);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      v.set(i, values[i]);
    }
    v.setValueCount(values.length);
    return v;
  }
}
