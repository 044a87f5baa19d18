package dev.tributary.samples;

import dev.tributary.Batch;
import dev.tributary.BatchIterator;
import dev.tributary.Dataset;
import dev.tributary.IterBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.preprocess.Chain;
import dev.tributary.preprocess.Concatenator;
import dev.tributary.preprocess.Preprocessor;
import dev.tributary.preprocess.StandardScaler;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Training ingest: Parquet, then preprocessors (a scaler fitted in one pass, a concatenator into
 * one tensor column), then {@code streamingSplit(2, true)} into two consumer threads that each
 * train a replica of a linear model by SGD on their half (data-parallel: replicas averaged after
 * each epoch), for three epochs, printing the loss per epoch and where the consumers' time went.
 */
public final class TrainingIngest {
  private static final int ROWS = 100_000;
  private static final double[] TRUE_W = {2.0, -3.0, 0.5};
  private static final double TRUE_B = 4.0; // so b = 354 on the scaled features
  private static final float LEARNING_RATE = 0.05f;

  private TrainingIngest() {}

  /** One replica's weights and its epoch's running loss. */
  private static final class Replica {
    final float[] w;
    float b;
    double squaredError;
    long rows;

    Replica(float[] w, float b) {
      this.w = w.clone();
      this.b = b;
    }

    /** One SGD step on a batch: the gradient of the mean squared error. */
    void step(Batch batch) {
      FloatBuffer x = batch.tensor("features").floats(); // a direct view of the Arrow memory
      double[] y = (double[]) batch.column("y");
      int d = w.length;
      float[] gw = new float[d];
      float gb = 0;
      for (int r = 0; r < y.length; r++) {
        float prediction = b;
        for (int j = 0; j < d; j++) {
          prediction += w[j] * x.get(r * d + j);
        }
        float error = prediction - (float) y[r];
        squaredError += error * error;
        for (int j = 0; j < d; j++) {
          gw[j] += error * x.get(r * d + j);
        }
        gb += error;
      }
      for (int j = 0; j < d; j++) {
        w[j] -= LEARNING_RATE * 2 * gw[j] / y.length;
      }
      b -= LEARNING_RATE * 2 * gb / y.length;
      rows += y.length;
    }
  }

  /** Runs the sample. */
  public static void main(String[] args) throws IOException, InterruptedException,
      ExecutionException {
    Path dir = Files.createTempDirectory("tributary-training");
    ExecutorService trainers = Executors.newFixedThreadPool(2);
    try {
      writeTrainingData(dir.resolve("train").toString());
      Dataset raw = Tributary.readParquet(dir.resolve("train").toString());

      Preprocessor preprocess = Chain.of(StandardScaler.of("x1", "x2", "x3"),
          Concatenator.of("x1", "x2", "x3").into("features")).fit(raw);
      System.out.println("fitted: " + preprocess.toJson());
      Dataset train = preprocess.transform(raw);

      float[] w = new float[3];
      float b = 0;
      for (int epoch = 1; epoch <= 3; epoch++) {
        // Each epoch re-runs the pipeline (read, scale, concatenate), shuffled differently.
        List<BatchIterator> halves = train.streamingSplit(2, true, IterBatchesOptions.defaults()
            .withBatchSize(64).withPrefetchBatches(4).withLocalShuffle(10_000, epoch));
        List<Replica> replicas = List.of(new Replica(w, b), new Replica(w, b));
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          Replica replica = replicas.get(t);
          BatchIterator half = halves.get(t);
          running.add(trainers.submit(() -> {
            try (half) {
              while (half.hasNext()) {
                replica.step(half.next());
              }
            }
          }));
        }
        for (Future<?> f : running) {
          f.get();
        }
        // Average the replicas (what an all-reduce does in distributed data-parallel training).
        for (int j = 0; j < w.length; j++) {
          w[j] = (replicas.get(0).w[j] + replicas.get(1).w[j]) / 2;
        }
        b = (replicas.get(0).b + replicas.get(1).b) / 2;
        double loss = (replicas.get(0).squaredError + replicas.get(1).squaredError)
            / (replicas.get(0).rows + replicas.get(1).rows);
        System.out.printf("epoch %d: loss %.4f (rows %d + %d); consumer 1 %s%n", epoch, loss,
            replicas.get(0).rows, replicas.get(1).rows, halves.get(0).stats());
      }
      // On scaled features the true model is w_j * std_j and b = 4 + sum(w_j * mean_j) = 354.
      System.out.printf("learned on scaled features: w = [%.3f, %.3f, %.3f], b = %.3f; the loss"
          + " floor is the noise variance, 0.01%n", w[0], w[1], w[2], b);
    } finally {
      trainers.shutdown();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** y = 2 x1 - 3 x2 + 0.5 x3 + 4 + noise, the features on different scales. */
  private static void writeTrainingData(String path) {
    Random random = new Random(3);
    double[] x1 = new double[ROWS];
    double[] x2 = new double[ROWS];
    double[] x3 = new double[ROWS];
    double[] y = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      x1[i] = random.nextGaussian() * 10 + 50;
      x2[i] = random.nextGaussian() * 0.1;
      x3[i] = random.nextDouble() * 1_000;
      y[i] = TRUE_W[0] * x1[i] + TRUE_W[1] * x2[i] + TRUE_W[2] * x3[i] + TRUE_B
          + random.nextGaussian() * 0.1;
    }
    Tributary.fromColumns(Map.of("x1", x1, "x2", x2, "x3", x3, "y", y)).rebatch(10_000)
        .writeParquet(path);
  }
}
