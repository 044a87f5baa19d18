package dev.tributary.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The CUDA device itself: kernels against the host's, device memory limits, copy bandwidth.
 * Skipped (with the probe's reason) where there is no usable device; run by gpu/device-check.sh.
 */
class CudaDeviceTest {
  private static Gpus gpus;
  private final BufferAllocator host = new RootAllocator();

  @BeforeAll
  static void openDevices() {
    gpus = Gpus.open("cuda-test", 0.5);
  }

  @AfterAll
  static void closeDevices() {
    gpus.close();
  }

  @BeforeEach
  void requireDevice() {
    assumeTrue(gpus.deviceCount() > 0, () -> "skipped: no usable CUDA device here ("
        + gpus.fallbackReason() + "); run gpu/device-check.sh on a GPU machine");
  }

  @AfterEach
  void nothingLeft() {
    assertThat(host.getAllocatedMemory()).isZero();
    host.close();
    if (gpus.deviceCount() > 0) {
      assertThat(gpus.heldBytes()).isZero();
    }
  }

  private <T> T onDevice(Function<Device, T> call) {
    return Mono.fromCallable(() -> {
      try (Device device = Device.open("cuda-test", host)) {
        return call.apply(device);
      }
    }).subscribeOn(gpus.scheduler(GpuCompute.gpu(0))).block();
  }

  @Test
  void elementwiseKernelsGiveTheHostsResultsExactly() {
    int n = 1_000_003;
    try (Float8Vector a = doubles("a", n, 1); Float8Vector b = doubles("b", n, 2);
        Float4Vector fa = floats("fa", n, 3); Float4Vector fb = floats("fb", n, 4)) {
      for (Arithmetic op : Arithmetic.values()) {
        try (FieldVector gpu = onDevice(d -> {
              assertThat(d.isGpu()).isTrue();
              assertThat(d.name()).startsWith("cuda:0");
              return d.elementwise(op, a, b, "r", host);
            });
            FieldVector cpu = cpu(d -> d.elementwise(op, a, b, "r", host));
            FieldVector gpuF = onDevice(d -> d.elementwise(op, fa, fb, "r", host));
            FieldVector cpuF = cpu(d -> d.elementwise(op, fa, fb, "r", host))) {
          int differing = 0;
          for (int i = 0; i < n; i++) {
            boolean same = Double.compare(((Float8Vector) gpu).get(i),
                ((Float8Vector) cpu).get(i)) == 0;
            boolean sameF = Float.compare(((Float4Vector) gpuF).get(i),
                ((Float4Vector) cpuF).get(i)) == 0;
            differing += same && sameF ? 0 : 1;
          }
          assertThat(differing).as("rows where %s differs from the host's", op).isZero();
        }
      }
    }
  }

  @Test
  void matmulMatchesTheHostWithinRounding() {
    int m = 5000;
    int k = 64;
    int n = 48;
    try (Float4Vector x = floats("x", m * k, 5); Float4Vector w = floats("w", k * n, 6)) {
      float[] gpu = onDevice(d -> product(d, x, w, m, k, n));
      float[] cpu = cpu(d -> product(d, x, w, m, k, n));
      // Fused multiply-adds on the GPU: k roundings of at most half an ulp of the sum each.
      double worst = 0;
      for (int i = 0; i < gpu.length; i++) {
        worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]) / (1 + Math.abs(cpu[i])));
      }
      assertThat(worst).isLessThanOrEqualTo(1e-5 * k);
    }
  }

  @Test
  void moreThanTheArenasLimitIsATypedErrorAndTheDeviceStaysUsable() {
    assertThatThrownBy(() -> onDevice(d -> d.allocate(d.account().arena().limitBytes() + 1)))
        .isInstanceOf(DeviceMemoryException.class).hasMessageContaining("cuda:0");
    long bytes = onDevice(d -> d.allocate(1 << 20).bytes());
    assertThat(bytes).isEqualTo(1 << 20);
  }

  @Test
  void hostDeviceCopyBandwidth() {
    long bytes = 256L << 20;
    int rounds = 5;
    try (Float8Vector column = doubles("c", (int) (bytes / 8), 7)) {
      double[] seconds = onDevice(d -> {
        DeviceBuffer buffer = d.allocate(bytes);
        buffer.copyFromHost(0, column.getDataBuffer(), 0, bytes);
        long up = 0;
        long down = 0;
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          buffer.copyFromHost(0, column.getDataBuffer(), 0, bytes);
          long t1 = System.nanoTime();
          buffer.copyToHost(0, column.getDataBuffer(), 0, bytes);
          long t2 = System.nanoTime();
          up += t1 - t0;
          down += t2 - t1;
        }
        return new double[] {up / 1e9, down / 1e9};
      });
      double gb = bytes * (double) rounds / 1e9;
      System.out.printf("COPY host->device %.1f GB/s, device->host %.1f GB/s (%d x %d MiB,"
          + " pageable Arrow memory)%n", gb / seconds[0], gb / seconds[1], rounds, bytes >> 20);
      assertThat(column.get(12345)).isEqualTo(doublesAt(7, 12345));
    }
  }

  private static float[] product(Device d, Float4Vector x, Float4Vector w, int m, int k, int n) {
    try (DeviceBuffer a = d.upload(x); DeviceBuffer b = d.upload(w);
        DeviceBuffer c = d.allocate(4L * m * n)) {
      d.matmul(a, b, c, m, k, n);
      float[] out = new float[m * n];
      try (Float4Vector column = new Float4Vector("c", x.getAllocator())) {
        column.allocateNew(m * n);
        column.setValueCount(m * n);
        d.download(c, 0, column);
        for (int i = 0; i < out.length; i++) {
          out[i] = column.get(i);
        }
      }
      return out;
    }
  }

  private <T> T cpu(Function<Device, T> call) {
    try (Device device = Device.open("cpu-reference", host)) {
      return call.apply(device);
    }
  }

  private static double doublesAt(long seed, int index) {
    Random random = new Random(seed);
    double v = 0;
    for (int i = 0; i <= index; i++) {
      v = random.nextDouble() * 10 - 5;
    }
    return v;
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
      v.set(i, random.nextFloat() * 2 - 1);
    }
    v.setValueCount(n);
    return v;
  }
}
