package dev.tributary.samples;

import dev.tributary.Dataset;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.gpu.GpuBatchFunction;
import dev.tributary.gpu.GpuCompute;
import dev.tributary.operators.OperatorSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Batch inference on a GPU stage: the shipped {@link Mlp} over generated inputs, on CUDA device 0
 * when there is one and on the CPU otherwise (the same function either way), checked against the
 * plain Java MLP on a CPU stage: scores within {@link #TOLERANCE} and the same labels (a label may
 * differ only where its two best scores are within the tolerance). Prints the rows/s of both.
 *
 * <p>Run: {@code mvn -B -q -Prun -DskipTests package -pl samples -am
 * -Dsample.main="dev.tributary.samples.MlpInference 2000000"} (the argument: rows).
 */
public final class MlpInference {
  /**
   * Largest difference allowed between a GPU score and the CPU's, relative to {@code max(1,
   * |cpu score|)}: the GPU fuses multiply-adds (one rounding instead of two), nothing else
   * differs; the host fallback sums in the same order as the CPU and gives the same bits.
   */
  public static final float TOLERANCE = 1e-4f;
  /** Rows per block of the GPU stage: large blocks keep the device busy per call. */
  public static final int BATCH_ROWS = 65_536;

  private MlpInference() {}

  /**
   * What a comparison found.
   *
   * @param rows rows compared
   * @param maxRelativeDifference the largest score difference, relative to max(1, |cpu|)
   * @param labelsDiffering rows whose labels differ although their top two scores do not tie
   */
  public record Comparison(long rows, double maxRelativeDifference, long labelsDiffering) {
    /** Whether the GPU stage gave the CPU's predictions within the tolerance. */
    public boolean same() {
      return maxRelativeDifference <= TOLERANCE && labelsDiffering == 0;
    }
  }

  /** Runs the sample: {@code args[0]} rows (default 2,000,000). */
  public static void main(String[] args) {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
    Mlp mlp = Mlp.load();
    int cores = Runtime.getRuntime().availableProcessors();
    try (TributaryRuntime runtime = TributaryRuntime.builder().name("mlp").build()) {
      String where = runtime.gpus().deviceCount() > 0 ? "CUDA device 0"
          : "the CPU (fallback: " + runtime.gpus().fallbackReason() + ")";
      Comparison check = compare(features(mlp.inputs(), Math.min(rows, 200_000))
          .withRuntime(runtime), mlp);
      System.out.printf(Locale.ROOT, "MLP %d inputs -> %d scores; GPU stage on %s%n",
          mlp.inputs(), mlp.outputs(), where);
      System.out.printf(Locale.ROOT, "check: %d rows, max relative score difference %.2e"
              + " (tolerance %.0e), labels differing %d -> %s%n", check.rows(),
          check.maxRelativeDifference(), TOLERANCE, check.labelsDiffering(),
          check.same() ? "SAME" : "DIFFERENT");

      Dataset gpu = features(mlp.inputs(), rows).withRuntime(runtime)
          .mapBatches(mlp.onDevice(), GpuCompute.gpu(0));
      Dataset cpu = features(mlp.inputs(), rows).withRuntime(runtime)
          .mapBatches(mlp.onCpu(), MapBatchesOptions.defaults().withConcurrency(cores));
      report("GPU stage", gpu, rows, "MapBatchesGpu");
      report("CPU stage (" + cores + " tasks)", cpu, rows, "concurrency=");
      if (!check.same()) {
        throw new IllegalStateException("the GPU stage's predictions differ from the CPU's");
      }
    }
  }

  /**
   * {@code rows} rows of {@code inputs} float columns {@code x0..}, in [-1, 1), a fixed function
   * of the row number (the same inputs on every run), in blocks of {@link #BATCH_ROWS}.
   */
  public static Dataset features(int inputs, long rows) {
    return Tributary.range(rows).mapBatches(batch -> {
      long[] id = (long[]) batch.get("id");
      Map<String, Object> x = new HashMap<>();
      for (int j = 0; j < inputs; j++) {
        float[] column = new float[id.length];
        for (int r = 0; r < id.length; r++) {
          long h = (id[r] + 1) * 0x9E3779B97F4A7C15L + j * 0xBF58476D1CE4E5B9L;
          h ^= h >>> 31;
          column[r] = (h >>> 40) / (float) (1 << 23) - 1f;
        }
        x.put("x" + j, column);
      }
      return x;
    }).rebatch(BATCH_ROWS);
  }

  /**
   * Runs {@code features} through the CPU MLP, then the GPU stage, which compares its scores and
   * labels with the CPU's row by row.
   */
  public static Comparison compare(Dataset features, Mlp mlp) {
    GpuBatchFunction onDevice = mlp.onDevice();
    GpuBatchFunction check = (batch, device, out) -> {
      Float4Vector difference = new Float4Vector("difference", out);
      IntVector differs = new IntVector("labelDiffers", out);
      try (VectorSchemaRoot gpu = onDevice.apply(batch, device, out)) {
        int rows = batch.getRowCount();
        difference.allocateNew(rows);
        differs.allocateNew(rows);
        for (int r = 0; r < rows; r++) {
          float worst = 0f;
          List<Float> cpuScores = new ArrayList<>();
          for (int j = 0; j < mlp.outputs(); j++) {
            float c = ((Float4Vector) batch.getVector("cpu_y" + j)).get(r);
            float g = ((Float4Vector) gpu.getVector("y" + j)).get(r);
            cpuScores.add(c);
            worst = Math.max(worst, Math.abs(g - c) / Math.max(1f, Math.abs(c)));
          }
          int cpuLabel = ((IntVector) batch.getVector("cpu_label")).get(r);
          int gpuLabel = ((IntVector) gpu.getVector("label")).get(r);
          boolean tie = Math.abs(cpuScores.get(cpuLabel) - cpuScores.get(gpuLabel))
              <= TOLERANCE * Math.max(1f, Math.abs(cpuScores.get(cpuLabel)));
          difference.set(r, worst);
          differs.set(r, cpuLabel != gpuLabel && !tie ? 1 : 0);
        }
        difference.setValueCount(rows);
        differs.setValueCount(rows);
        return new VectorSchemaRoot(List.<FieldVector>of(difference, differs));
      } catch (RuntimeException | Error e) {
        difference.close();
        differs.close();
        throw e;
      }
    };
    var cpu = mlp.onCpu();
    Dataset compared = features.mapBatches(batch -> {
      Map<String, Object> withCpu = new HashMap<>(batch);
      cpu.apply(batch).forEach((name, values) -> withCpu.put("cpu_" + name, values));
      return withCpu;
    }).mapBatches(check, GpuCompute.gpu(0));
    double[] worst = {0};
    long[] counts = {0, 0};
    compared.toFlux(block -> {
      float[] d = ColumnReader.floats(block, "difference");
      int[] differs = ColumnReader.ints(block, "labelDiffers");
      double max = 0;
      long n = 0;
      for (int i = 0; i < d.length; i++) {
        max = Math.max(max, d[i]);
        n += differs[i];
      }
      return new double[] {d.length, max, n};
    }).doOnNext(r -> {
      counts[0] += (long) r[0];
      worst[0] = Math.max(worst[0], r[1]);
      counts[1] += (long) r[2];
    }).blockLast();
    return new Comparison(counts[0], worst[0], counts[1]);
  }

  private static void report(String what, Dataset stage, long rows, String operator) {
    long start = System.nanoTime();
    long counted = stage.count();
    double seconds = (System.nanoTime() - start) / 1e9;
    OperatorSnapshot op = stage.stats().operators().stream()
        .filter(o -> o.name().contains(operator)).reduce((a, b) -> b).orElseThrow();
    System.out.printf(Locale.ROOT, "%-24s %,12.0f rows/s end to end (%d rows in %.2f s);"
            + " %,12.0f rows/s per call inside the stage%n", what, counted / seconds, counted,
        seconds, rows / (op.userNanos() / 1e9));
  }
}
