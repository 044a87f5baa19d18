package dev.tributary.bench;

import dev.tributary.Dataset;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A 3-stage vectorised {@code mapBatches} pipeline over long/double columns, rows/s next to a
 * hand-written loop doing the same arithmetic over the same Arrow vectors, in the same run.
 *
 * <p>Stages: {@code x = id * 0.5}; {@code y = x * 2 + id}; {@code z = y - x}; the consumer sums
 * {@code z}. The hand loop allocates the same blocks and vectors in the same allocator, one block
 * at a time, on one thread. Run with {@code mvn -B -q -Pbench -DskipTests verify
 * -Dbench.main=dev.tributary.bench.MapBatchesThroughputBench}; {@code -Dbench.rows=N} (default
 * 50M).
 */
public final class MapBatchesThroughputBench {
  private static final int WARMUPS = 2;
  private static final int RUNS = 5;

  private MapBatchesThroughputBench() {}

  /** Runs both sides and prints medians and the ratio. */
  public static void main(String[] args) {
    long rows = Long.getLong("bench.rows", 50_000_000L);
    int blocks = 200;
    try (TributaryRuntime runtime = TributaryRuntime.builder().name("bench")
        .memoryLimit(2 * Bytes.GiB).build()) {
      Arena arena = runtime.arena();
      Dataset pipeline = Tributary.range(rows, blocks).withRuntime(runtime)
          .mapBatchesArrow((b, a) -> withColumn(b, a, "x", 0), zeroCopy())
          .mapBatchesArrow((b, a) -> withColumn(b, a, "y", 1), zeroCopy())
          .mapBatchesArrow((b, a) -> withColumn(b, a, "z", 2), zeroCopy());
      double[] tributary = new double[RUNS];
      double[] hand = new double[RUNS];
      double check = 0;
      for (int run = -WARMUPS; run < RUNS; run++) {
        long t0 = System.nanoTime();
        Double sum = pipeline.toFlux().map(b -> {
          try (b) {
            return sum((Float8Vector) b.vector("z"));
          }
        }).reduce(0.0, Double::sum).block();
        long t1 = System.nanoTime();
        double handSum = handLoop(arena, rows, blocks);
        long t2 = System.nanoTime();
        if (sum == null || Double.compare(sum, handSum) != 0) {
          throw new AssertionError("results differ: " + sum + " vs " + handSum);
        }
        check = sum;
        if (run >= 0) {
          tributary[run] = rows / ((t1 - t0) / 1e9);
          hand[run] = rows / ((t2 - t1) / 1e9);
        }
      }
      Arrays.sort(tributary);
      Arrays.sort(hand);
      double t = tributary[RUNS / 2];
      double h = hand[RUNS / 2];
      System.out.printf(Locale.ROOT,
          "rows=%d blocks=%d  tributary %.1f M rows/s  hand loop %.1f M rows/s  ratio %.2f"
              + "  (checksum %.6e)%n", rows, blocks, t / 1e6, h / 1e6, t / h, check);
      System.out.println(pipeline.stats());
    }
  }

  private static MapBatchesOptions zeroCopy() {
    return MapBatchesOptions.defaults().withZeroCopyBatch(true);
  }

  /** Adds column {@code name} computed by stage {@code stage} to the batch's columns. */
  private static VectorSchemaRoot withColumn(
      VectorSchemaRoot in, BufferAllocator allocator, String name, int stage) {
    int n = in.getRowCount();
    Float8Vector out = new Float8Vector(name, allocator);
    out.allocateNew(n);
    compute(stage, in, out, n);
    out.setValueCount(n);
    List<FieldVector> vectors = new java.util.ArrayList<>();
    for (FieldVector v : in.getFieldVectors()) {
      var pair = v.getTransferPair(allocator);
      pair.splitAndTransfer(0, n);
      vectors.add((FieldVector) pair.getTo());
    }
    vectors.add(out);
    return new VectorSchemaRoot(vectors);
  }

  private static void compute(int stage, VectorSchemaRoot in, Float8Vector out, int n) {
    BigIntVector id = (BigIntVector) in.getVector("id");
    if (stage == 0) {
      for (int i = 0; i < n; i++) {
        out.set(i, id.get(i) * 0.5);
      }
    } else if (stage == 1) {
      Float8Vector x = (Float8Vector) in.getVector("x");
      for (int i = 0; i < n; i++) {
        out.set(i, x.get(i) * 2 + id.get(i));
      }
    } else {
      Float8Vector x = (Float8Vector) in.getVector("x");
      Float8Vector y = (Float8Vector) in.getVector("y");
      for (int i = 0; i < n; i++) {
        out.set(i, y.get(i) - x.get(i));
      }
    }
  }

  private static double sum(Float8Vector v) {
    double s = 0;
    for (int i = 0; i < v.getValueCount(); i++) {
      s += v.get(i);
    }
    return s;
  }

  /** The same work, block by block, with no Reactor and no operators. */
  private static double handLoop(Arena arena, long rows, int blocks) {
    double total = 0;
    try (Account account = arena.openAccount("hand-loop")) {
      for (int b = 0; b < blocks; b++) {
        long start = rows * b / blocks;
        int n = (int) (rows * (b + 1) / blocks - start);
        try (BigIntVector id = new BigIntVector("id", account.allocator());
            Float8Vector x = new Float8Vector("x", account.allocator());
            Float8Vector y = new Float8Vector("y", account.allocator());
            Float8Vector z = new Float8Vector("z", account.allocator())) {
          id.allocateNew(n);
          for (int i = 0; i < n; i++) {
            id.set(i, start + i);
          }
          id.setValueCount(n);
          for (Float8Vector v : new Float8Vector[] {x, y, z}) {
            v.allocateNew(n);
          }
          VectorSchemaRoot root = new VectorSchemaRoot(List.of(id, x, y));
          root.setRowCount(n);
          compute(0, root, x, n);
          x.setValueCount(n);
          compute(1, root, y, n);
          y.setValueCount(n);
          compute(2, root, z, n);
          z.setValueCount(n);
          total += sum(z);
        }
      }
    }
    return total;
  }
}
