package dev.tributary.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.Dataset;
import dev.tributary.TributaryRuntime;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.gpu.GpuCompute;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The inference sample: the shipped weights are the seeded ones, and the GPU stage (on a device,
 * or the CPU fallback here) predicts what the plain Java MLP predicts, within the tolerance.
 */
class MlpInferenceTest {
  /** The seed and widths the shipped weights were generated from. */
  static final long SEED = 20_261_129L;
  static final int[] WIDTHS = {16, 64, 64, 4};

  /**
   * The weights, generated: Glorot-uniform weights, small uniform biases. Run with {@code
   * -Dmlp.regenerate=true} to rewrite the resource.
   */
  static Mlp generate() {
    Random random = new Random(SEED);
    List<float[]> weights = new ArrayList<>();
    List<float[]> biases = new ArrayList<>();
    for (int l = 0; l + 1 < WIDTHS.length; l++) {
      float scale = (float) Math.sqrt(6.0 / (WIDTHS[l] + WIDTHS[l + 1]));
      float[] w = new float[WIDTHS[l] * WIDTHS[l + 1]];
      for (int i = 0; i < w.length; i++) {
        w[i] = (random.nextFloat() * 2 - 1) * scale;
      }
      float[] b = new float[WIDTHS[l + 1]];
      for (int i = 0; i < b.length; i++) {
        b[i] = (random.nextFloat() * 2 - 1) * 0.1f;
      }
      weights.add(w);
      biases.add(b);
    }
    return new Mlp(WIDTHS, weights, biases);
  }

  @Test
  void theShippedWeightsAreTheSeededOnes() throws IOException {
    byte[] generated = generate().write();
    if (Boolean.getBoolean("mlp.regenerate")) {
      Files.write(Path.of("src/main/resources/dev/tributary/samples", Mlp.RESOURCE), generated);
    }
    assertThat(Mlp.load().write()).isEqualTo(generated);
    assertThat(Mlp.read(generated).write()).isEqualTo(generated);
  }

  @Test
  void theGpuStagePredictsWhatTheCpuPredicts() {
    Mlp mlp = Mlp.load();
    try (TributaryRuntime runtime = TributaryRuntime.builder().name("mlp-test")
        .memoryLimit(128 * Bytes.MiB).failOnLeak(true).build()) {
      Dataset inputs = MlpInference.features(mlp.inputs(), 50_000).withRuntime(runtime);
      MlpInference.Comparison check = MlpInference.compare(inputs, mlp);
      assertThat(check.rows()).isEqualTo(50_000);
      assertThat(check.same()).as("%s", check).isTrue();
      if (runtime.gpus().deviceCount() == 0) {
        // The CPU fallback sums in the CPU's order: the very same scores.
        assertThat(check.maxRelativeDifference()).isZero();
      }
      List<Map<String, Object>> first = inputs.mapBatches(mlp.onDevice(), GpuCompute.gpu(0))
          .take(3);
      assertThat(first).hasSize(3).allSatisfy(row -> assertThat(row).containsKeys("y0", "y3",
          "label"));
      // The labels are not all one class: the weights and inputs make a real test.
      assertThat(inputs.mapBatches(mlp.onCpu()).toFlux(b -> ColumnReader.ints(b, "label"))
          .flatMapIterable(labels -> java.util.Arrays.stream(labels).boxed().toList())
          .distinct().count().block()).isGreaterThan(1);
    }
  }
}
