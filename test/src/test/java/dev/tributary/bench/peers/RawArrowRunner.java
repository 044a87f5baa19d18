package dev.tributary.bench.peers;

import dev.tributary.bench.kit.BenchSpec;
import dev.tributary.bench.kit.Harness;
import dev.tributary.bench.kit.ShuffleSum;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.Version;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The raw parquet-mr to Arrow system: W1, W2 and W4 as hand-written single-threaded loops over
 * {@link RawParquet}, no Reactor, no arena, no governor. Run by {@link PeerBench} in its own JVM.
 */
public final class RawArrowRunner {
  /** The system's name in the report. */
  public static final String SYSTEM = "raw-arrow";

  private RawArrowRunner() {}

  /** Runs W1, W2 and W4 and writes the results file. */
  public static void main(String[] args) throws Exception {
    BenchSpec spec = BenchSpec.fromSystemProperties();
    Harness h = new Harness(spec, SYSTEM, version());
    String settings = "1 thread, parquet-mr column readers into Arrow vectors, no Reactor";
    try (BufferAllocator allocator = new RootAllocator()) {
      h.measure("W1", settings + ", SNAPPY writer", spec.rows(), run -> {
        Path out = spec.outputDir(SYSTEM, "W1");
        Harness.deleteRecursively(out);
        run.startClock();
        long written = etl(spec, allocator, out);
        run.stopClock();
        run.bytes(Harness.sizeOf(out));
        return written;
      });
      h.measure("W2", settings, spec.rows(), run -> scanReduce(spec, allocator));
      h.measure("W4", settings + ", batches of " + BenchSpec.FEED_BATCH_ROWS,
          spec.rows(), run -> feed(spec, allocator));
    }
    h.write(h.resultFile());
  }

  /** The parquet-mr version (from its jar). */
  public static String version() {
    return "parquet-mr " + Version.VERSION_NUMBER + ", Arrow "
        + VectorSchemaRoot.class.getPackage().getImplementationVersion();
  }

  /** W1: read, z = x * 2 + y, keep z > 0, write SNAPPY Parquet; returns rows written. */
  static long etl(BenchSpec spec, BufferAllocator allocator, Path outDir) throws IOException {
    Files.createDirectories(outDir);
    long[] written = {0};
    RawParquet.Writer[] writer = {null};
    try {
      for (Path file : spec.dataFiles()) {
        RawParquet.read(file, BenchSpec.ETL_COLUMNS, allocator, root -> {
          int n = root.getRowCount();
          Float8Vector x = (Float8Vector) root.getVector("x");
          Float8Vector y = (Float8Vector) root.getVector("y");
          Float8Vector z = new Float8Vector("z", allocator);
          z.allocateNew(n);
          for (int i = 0; i < n; i++) {
            z.set(i, x.get(i) * 2 + y.get(i));
          }
          z.setValueCount(n);
          List<FieldVector> vectors = new ArrayList<>(root.getFieldVectors());
          vectors.add(z);
          try (VectorSchemaRoot out = new VectorSchemaRoot(vectors)) {
            if (writer[0] == null) {
              writer[0] = new RawParquet.Writer(outDir.resolve("part-0.parquet"),
                  out.getSchema(), CompressionCodecName.SNAPPY);
            }
            for (int i = 0; i < n; i++) {
              if (z.get(i) > 0) {
                writer[0].write(out, i);
                written[0]++;
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    } finally {
      if (writer[0] != null) {
        writer[0].close();
      }
    }
    return written[0];
  }

  /** W2: the sum of x where key is below the threshold. */
  static double scanReduce(BenchSpec spec, BufferAllocator allocator) throws IOException {
    double[] sum = {0};
    int k = spec.keyThreshold();
    for (Path file : spec.dataFiles()) {
      RawParquet.read(file, BenchSpec.SCAN_COLUMNS, allocator, root -> {
        try (root) {
          IntVector key = (IntVector) root.getVector("key");
          Float8Vector x = (Float8Vector) root.getVector("x");
          double s = 0;
          for (int i = 0; i < root.getRowCount(); i++) {
            if (key.get(i) < k) {
              s += x.get(i);
            }
          }
          sum[0] += s;
        }
      });
    }
    return sum[0];
  }

  /**
   * W4: batches of 1024 rows as Java arrays (what {@code iterBatches} yields), fed to the
   * shuffling consumer; returns the sum of x it saw.
   */
  static double feed(BenchSpec spec, BufferAllocator allocator) throws IOException {
    ShuffleSum consumer = new ShuffleSum(spec.shuffleBufferRows(), spec.seed());
    int size = BenchSpec.FEED_BATCH_ROWS;
    for (Path file : spec.dataFiles()) {
      RawParquet.read(file, BenchSpec.FEED_COLUMNS, allocator, root -> {
        try (root) {
          BigIntVector id = (BigIntVector) root.getVector("id");
          IntVector key = (IntVector) root.getVector("key");
          Float8Vector x = (Float8Vector) root.getVector("x");
          Float8Vector y = (Float8Vector) root.getVector("y");
          for (int start = 0; start < root.getRowCount(); start += size) {
            int n = Math.min(size, root.getRowCount() - start);
            long[] ids = new long[n];
            int[] keys = new int[n];
            double[] xs = new double[n];
            double[] ys = new double[n];
            for (int i = 0; i < n; i++) {
              ids[i] = id.get(start + i);
              keys[i] = key.get(start + i);
              xs[i] = x.get(start + i);
              ys[i] = y.get(start + i);
            }
            consumer.accept(xs, n);
          }
        }
      });
    }
    return consumer.finish();
  }
}
