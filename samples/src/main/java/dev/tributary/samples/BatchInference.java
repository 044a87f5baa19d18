package dev.tributary.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.ComputeStrategy;
import dev.tributary.Dataset;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Batch inference: generated 4x4 grey images, normalised, then classified by a pool of a small
 * fixed-weight MLP (weights shipped as a resource; each worker loads its own copy once), the
 * predictions written to Parquet and read back to print the accuracy.
 */
public final class BatchInference {
  private static final int IMAGES = 20_000;

  private BatchInference() {}

  /** The model: loads its weights once (per worker), classifies batches of images. */
  public static final class Mlp
      implements Function<Map<String, Object>, Map<String, Object>>, AutoCloseable {
    private final float[][] hidden;
    private final float[] hiddenBias;
    private final float[][] output;
    private final float[] outputBias;

    /** Loads the weights from the classpath: the expensive part a pool does once per worker. */
    public Mlp() {
      try (InputStream in = BatchInference.class.getResourceAsStream("mlp-weights.json")) {
        Weights w = new ObjectMapper().readValue(in, Weights.class);
        hidden = w.hidden;
        hiddenBias = w.hiddenBias;
        output = w.output;
        outputBias = w.outputBias;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Map<String, Object> apply(Map<String, Object> batch) {
      float[][] pixels = (float[][]) batch.get("pixels");
      long[] prediction = new long[pixels.length];
      float[] h = new float[hidden.length];
      for (int r = 0; r < pixels.length; r++) {
        for (int j = 0; j < hidden.length; j++) {
          float s = hiddenBias[j];
          for (int k = 0; k < pixels[r].length; k++) {
            s += hidden[j][k] * pixels[r][k];
          }
          h[j] = Math.max(0, s); // ReLU
        }
        int best = 0;
        float bestLogit = Float.NEGATIVE_INFINITY;
        for (int o = 0; o < output.length; o++) {
          float logit = outputBias[o];
          for (int j = 0; j < h.length; j++) {
            logit += output[o][j] * h[j];
          }
          if (logit > bestLogit) {
            bestLogit = logit;
            best = o;
          }
        }
        prediction[r] = best;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("label", batch.get("label"));
      out.put("prediction", prediction);
      return out;
    }

    @Override
    public void close() {
      // a real model would free native memory or a session here
    }
  }

  /** The weights file's shape (Jackson fills it). */
  public static final class Weights {
    /** Ignored text explaining the weights. */
    public String comment;
    /** Hidden layer: [units][16]. */
    public float[][] hidden;
    /** Hidden biases. */
    public float[] hiddenBias;
    /** Output layer: [classes][units]. */
    public float[][] output;
    /** Output biases. */
    public float[] outputBias;
  }

  /** Runs the sample. */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("tributary-inference");
    try {
      Random random = new Random(1);
      float[][] images = new float[IMAGES][16];
      long[] labels = new long[IMAGES];
      for (int i = 0; i < IMAGES; i++) {
        labels[i] = random.nextInt(2); // 1: the top half is brighter
        for (int p = 0; p < 16; p++) {
          boolean bright = (p < 8) == (labels[i] == 1);
          images[i][p] = (float) Math.max(0, Math.min(255,
              (bright ? 150 : 90) + random.nextGaussian() * 40));
        }
      }
      Dataset predictions = Tributary.fromColumns(Map.of("pixels", images, "label", labels))
          .rebatch(1_000)
          .mapBatches(batch -> { // stateless: tasks
            float[][] px = (float[][]) batch.get("pixels");
            float[][] scaled = new float[px.length][];
            for (int i = 0; i < px.length; i++) {
              scaled[i] = new float[px[i].length];
              for (int p = 0; p < px[i].length; p++) {
                scaled[i][p] = px[i][p] / 255f;
              }
            }
            return Map.of("pixels", scaled, "label", batch.get("label"));
          }, MapBatchesOptions.defaults().withConcurrency(2).withName("normalise"))
          .mapBatches(Mlp::new, MapBatchesOptions.defaults() // stateful: a pool of models
              .withCompute(ComputeStrategy.pool(1, 2)).withName("classify"));

      System.out.print(predictions.explain());
      predictions.writeParquet(dir.resolve("predictions").toString());
      System.out.println(predictions.stats().operator("classify"));

      List<Map<String, Object>> rows =
          Tributary.readParquet(dir.resolve("predictions").toString()).takeAll();
      long right = rows.stream().filter(r -> r.get("label").equals(r.get("prediction"))).count();
      System.out.printf("accuracy: %.4f over %d images%n", (double) right / rows.size(),
          rows.size());
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
