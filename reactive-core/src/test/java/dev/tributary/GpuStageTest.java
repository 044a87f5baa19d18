package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.gpu.Arithmetic;
import dev.tributary.gpu.GpuBatchFunction;
import dev.tributary.gpu.GpuCompute;
import dev.tributary.gpu.GpuException;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.UserFunctionException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A GPU stage in a pipeline: on a machine without a device (this one, in CI) the documented CPU
 * fallback with the CPU's results; on a GPU machine the same assertions hold on the device.
 */
class GpuStageTest {
  private static final int ROWS = 50_000;
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("gpustage")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Set<String> threads = ConcurrentHashMap.newKeySet();

  @AfterEach
  void nothingLeft() {
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  private Dataset input() {
    Random random = new Random(42);
    double[] a = new double[ROWS];
    double[] b = new double[ROWS];
    float[] c = new float[ROWS];
    for (int i = 0; i < ROWS; i++) {
      a[i] = random.nextDouble() * 100 - 50;
      b[i] = random.nextDouble() * 100 - 50;
      c[i] = random.nextFloat();
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("a", a);
    columns.put("b", b);
    columns.put("c", c);
    return Tributary.fromColumns(columns).withRuntime(runtime).rebatch(4096);
  }

  /** a * b and c / c on the device, as new columns. */
  private final GpuBatchFunction products = (batch, device, out) -> {
    threads.add(Thread.currentThread().getName() + (device.isGpu() ? " gpu" : " cpu"));
    FieldVector ab = device.elementwise(Arithmetic.MUL, batch.getVector("a"),
        batch.getVector("b"), "ab", out);
    FieldVector cc = device.elementwise(Arithmetic.DIV, batch.getVector("c"),
        batch.getVector("c"), "cc", out);
    return new VectorSchemaRoot(List.of(ab, cc));
  };

  @Test
  void aGpuStageGivesTheCpusResultsOnItsDevicesThreadsOrOnTheCpuFallback() {
    List<Map<String, Object>> gpu = input().mapBatches(products, GpuCompute.gpu(0)).takeAll();
    List<Map<String, Object>> cpu = input().mapBatches(batch -> {
      double[] a = (double[]) batch.get("a");
      double[] b = (double[]) batch.get("b");
      float[] c = (float[]) batch.get("c");
      double[] ab = new double[a.length];
      float[] cc = new float[c.length];
      for (int i = 0; i < a.length; i++) {
        ab[i] = a[i] * b[i];
        cc[i] = c[i] / c[i];
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("ab", ab);
      result.put("cc", cc);
      return result;
    }).takeAll();
    assertThat(gpu).hasSize(ROWS).isEqualTo(cpu);
    if (runtime.gpus().deviceCount() > 0) {
      assertThat(threads).containsOnly("gpustage-gpu-0 gpu");
    } else {
      assertThat(runtime.gpus().fallbackReason()).isNotBlank();
      assertThat(threads).allMatch(t -> t.endsWith(" cpu") && !t.contains("-gpu-"));
    }
  }

  @Test
  void onSimulatedDevicesEachCallRunsOnItsDevicesThreadAndNothingIsLeft() {
    try (TributaryRuntime simulated = TributaryRuntime.builder().name("sim")
        .memoryLimit(64 * Bytes.MiB).failOnLeak(true).simulatedGpus(2, 16 * Bytes.MiB)
        .gpuMemoryFraction(0.5).build()) {
      List<Map<String, Object>> expected = input().mapBatches(products, GpuCompute.gpu(0))
          .takeAll();
      threads.clear();
      List<Map<String, Object>> onBoth = input().withRuntime(simulated)
          .mapBatches(products, GpuCompute.gpu(0, 1)).takeAll();
      assertThat(onBoth).isEqualTo(expected);
      assertThat(threads).containsExactlyInAnyOrder("sim-gpu-0 gpu", "sim-gpu-1 gpu");
      assertThat(simulated.gpus().arenas()).hasSize(2).allSatisfy(a -> {
        assertThat(a.limitBytes()).isEqualTo(8 * Bytes.MiB);
        assertThat(a.peakBytes()).isPositive();
      });

      // Cancelled early, failed, or out of device memory: nothing left on host or device.
      assertThat(input().withRuntime(simulated).mapBatches(products, GpuCompute.gpu(1))
          .take(3)).hasSize(3);
      Dataset tooBig = input().withRuntime(simulated).mapBatches((batch, device, out) -> {
        device.allocate(9 * Bytes.MiB);
        return batch;
      }, GpuCompute.gpu(0));
      assertThatThrownBy(tooBig::takeAll).isInstanceOf(UserFunctionException.class)
          .hasCauseInstanceOf(dev.tributary.gpu.DeviceMemoryException.class);
      Dataset noSuchDevice = input().withRuntime(simulated)
          .mapBatches(products, GpuCompute.gpu(2));
      assertThatThrownBy(noSuchDevice::takeAll).isInstanceOf(GpuException.class)
          .hasMessageContaining("2 CUDA device(s)");
      assertThat(simulated.gpus().heldBytes()).isZero();
      assertThat(simulated.arena().allocatedBytes()).isZero();
    }
  }

  @Test
  void theStageIsItsOwnInThePlan() {
    Dataset ds = input().filter(r -> true).mapBatches(products, GpuCompute.gpu(0))
        .filter(r -> true);
    // Its own stage: nothing fused into it on either side (its thread is the device's).
    assertThat(ds.explain()).contains("MapBlocks MapBatchesGpu[gpu(0)]\n")
        .doesNotContain("Filter->MapBatchesGpu").doesNotContain("MapBatchesGpu[gpu(0)]->");
  }

  @Test
  void aFailingFunctionFailsTheStageAndLeavesNoMemory() {
    Dataset ds = input().mapBatches((batch, device, out) -> {
      device.allocate(1 << 16);
      device.upload(batch.getVector("a"));
      throw new IllegalArgumentException("bad weights");
    }, GpuCompute.gpu());
    assertThatThrownBy(ds::takeAll).isInstanceOf(UserFunctionException.class)
        .hasRootCauseMessage("bad weights");
    assertThat(runtime.gpus().heldBytes()).isZero();
  }

  @Test
  void aCancelledPipelineLeavesNoMemory() {
    assertThat(input().mapBatches(products, GpuCompute.gpu(0)).take(10)).hasSize(10);
    assertThat(input().mapBatches(products, GpuCompute.gpu(0)).limit(5000).count())
        .isEqualTo(5000);
    assertThat(runtime.gpus().heldBytes()).isZero();
  }

  @Test
  void aColumnAKernelCannotTakeIsATypedError() {
    Dataset ds = Tributary.fromItems(List.of(Map.of("s", "text"))).withRuntime(runtime)
        .mapBatches((batch, device, out) -> {
          device.upload(batch.getVector("s"));
          return batch;
        }, GpuCompute.gpu());
    assertThatThrownBy(ds::takeAll).isInstanceOf(UserFunctionException.class)
        .hasCauseInstanceOf(GpuException.class);
  }

  @Test
  void devicesAreCheckedWhenThePlanIsBuilt() {
    assertThatThrownBy(() -> GpuCompute.gpu(-1)).isInstanceOf(IllegalArgumentException.class);
    if (runtime.gpus().deviceCount() > 0) {
      assertThatThrownBy(() -> input().mapBatches(products, GpuCompute.gpu(4096)))
          .isInstanceOf(GpuException.class).hasMessageContaining("gpu(4096)");
    } else {
      // No device at all: the stage will run on the CPU whichever device it names.
      assertThat(input().mapBatches(products, GpuCompute.gpu(3)).count()).isEqualTo(ROWS);
    }
  }
}
