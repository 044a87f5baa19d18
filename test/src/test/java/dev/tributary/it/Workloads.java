package dev.tributary.it;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.MemoryLimitExceededException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The memory-governance workload shared by the integration tests and the benchmark: a source
 * of int64 ids, a {@code mapBatches} that inflates each block 4x (three new int64 columns), and
 * a sink that checksums what it receives, optionally slowly.
 */
public final class Workloads {
  private Workloads() {}

  /** Hooks around one {@link #run}: the timed part, and the arena's peak (also on failure). */
  public interface RunHooks {
    /** The pipeline is built: timing starts. */
    void start();

    /** The sink has everything: timing stops. */
    void stop();

    /** The arena's peak bytes during the run. */
    void peak(long bytes);
  }

  /**
   * One run of the governance workload under an arena of {@code limit} bytes: a source of {@code
   * bytes} in blocks of {@code blockBytes}, the 4x-inflating map, a sink taking {@code
   * sinkDelay} per block; governed or with the plain prefetch. Checks the sink's checksum and
   * closes its runtime (which waits for the execution to give its memory back).
   *
   * @throws MemoryLimitExceededException if the run does not fit the limit
   */
  public static void run(long limit, long bytes, long blockBytes, Duration sinkDelay,
      boolean governed, RunHooks hooks) {
    long rows = bytes / Long.BYTES;
    try (TributaryRuntime runtime = TributaryRuntime.builder().name("governance-run")
        .memoryLimit(limit).build()) {
      Arena arena = runtime.arena();
      DataContext ctx = DataContext.defaults().withGovernor(governed);
      Dataset ds = inflating(runtime, ctx, rows, (int) (bytes / blockBytes), 4);
      hooks.start();
      Received got;
      try {
        got = sink(ds.toFlux(), sinkDelay).block();
      } finally {
        hooks.peak(arena.peakBytes());
      }
      hooks.stop();
      if (!Received.expected(rows).equals(got)) {
        throw new IllegalStateException("wrong result " + got);
      }
    }
  }

  /**
   * {@code rows} ids in {@code blocks} blocks, through a 4x-inflating map of concurrency 4, run
   * in {@code runtime} with {@code context}.
   */
  public static Dataset inflating(TributaryRuntime runtime, DataContext context, long rows,
      int blocks, int concurrency) {
    return Tributary.range(rows, blocks).withContext(context).withRuntime(runtime)
        .mapBatchesArrow(Workloads::inflate,
            MapBatchesOptions.defaults().withConcurrency(concurrency).withZeroCopyBatch(true));
  }

  /** Adds columns a = id*2, b = id*3, c = id*5: the output holds 4x the input's bytes. */
  static VectorSchemaRoot inflate(VectorSchemaRoot in, BufferAllocator allocator) {
    return inflate(in, allocator, 4);
  }

  /**
   * Keeps the input's columns and adds int64 columns a = id*2, b = id*3, c = id*5, then {@code
   * pad<k>} = id*k until the output holds about {@code factor} x the input's bytes.
   */
  static VectorSchemaRoot inflate(VectorSchemaRoot in, BufferAllocator allocator, int factor) {
    int n = in.getRowCount();
    BigIntVector id = (BigIntVector) in.getVector("id");
    List<FieldVector> out = new ArrayList<>();
    long inBytes = 0;
    for (FieldVector v : in.getFieldVectors()) {
      inBytes += v.getBufferSize();
      var pair = v.getTransferPair(allocator);
      pair.splitAndTransfer(0, n);
      out.add((FieldVector) pair.getTo());
    }
    // An int64 column takes 8 bytes and a validity bit a row.
    double perColumn = Math.max(1, n * (Long.BYTES + 1.0 / 8));
    long columns = Math.max(3, Math.round((factor - 1) * inBytes / perColumn));
    for (int k = 0; k < columns; k++) {
      long f = k == 0 ? 2 : k == 1 ? 3 : k == 2 ? 5 : k + 4;
      BigIntVector v = new BigIntVector(k < 3 ? "abc".substring(k, k + 1) : "pad" + k, allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        v.set(i, id.get(i) * f);
      }
      v.setValueCount(n);
      out.add(v);
    }
    return new VectorSchemaRoot(out);
  }

  /**
   * Writes a Parquet file of {@code rows} rows into {@code dir} and {@code copies - 1} copies of
   * it beside: id (0..rows-1) and tag (utf8 of about 50 characters, 64 distinct values, which the
   * writer dictionary-encodes, so a row takes ~9 bytes in Parquet but ~52 decoded), chosen from
   * id by a seeded mix, so the same call always writes the same data.
   */
  public static void parquetCopies(long rows, int copies, Path dir) throws IOException {
    try (TributaryRuntime runtime = TributaryRuntime.builder().name("parquet-rows")
        .memoryLimit(256L << 20).build()) {
      Tributary.range(rows, (int) Math.max(1, rows / 65_536)).withRuntime(runtime)
          .mapBatchesArrow(Workloads::tagged, MapBatchesOptions.defaults().withZeroCopyBatch(true))
          .writeParquet(ParquetSink.to(dir.resolve("original")).fileBytes(Long.MAX_VALUE));
    }
    Path original;
    try (var files = Files.list(dir.resolve("original"))) {
      original = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    for (int c = 0; c < copies; c++) {
      Files.copy(original, dir.resolve("copy-" + c + ".parquet"));
    }
    Files.delete(original);
    Files.delete(dir.resolve("original"));
  }

  private static VectorSchemaRoot tagged(VectorSchemaRoot in, BufferAllocator allocator) {
    int n = in.getRowCount();
    BigIntVector id = (BigIntVector) in.getVector("id");
    var pair = id.getTransferPair(allocator);
    pair.splitAndTransfer(0, n);
    VarCharVector tag = new VarCharVector("tag", allocator);
    tag.allocateNew(n * 56L, n);
    for (int i = 0; i < n; i++) {
      tag.setSafe(i, TAGS[(int) (mix(id.get(i) ^ SEED) & 63)]);
    }
    tag.setValueCount(n);
    return new VectorSchemaRoot(List.of((FieldVector) pair.getTo(), tag));
  }

  private static final long SEED = 0x5eed_1234_abcdL;
  private static final byte[][] TAGS = new byte[64][];

  static {
    for (int i = 0; i < TAGS.length; i++) {
      TAGS[i] = String.format(java.util.Locale.ROOT, "tag-%02d-%s", i,
          "the quick brown fox jumps over the lazy dog".substring(0, 24 + i % 20))
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  /** SplitMix64's finaliser: a seeded, well-spread hash of a long. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** What a sink saw: rows and a checksum over columns id and c. */
  public record Received(long rows, long idSum, long cSum) {
    /** The values a complete run over {@code 0..rows-1} must produce. */
    public static Received expected(long rows) {
      long sum = rows * (rows - 1) / 2;
      return new Received(rows, sum, sum * 5);
    }
  }

  /**
   * Consumes a flux of inflated blocks on an I/O thread, one at a time, sleeping {@code delay}
   * per block (a slow sink), closing each block after reading it.
   */
  public static Mono<Received> sink(Flux<Block> blocks, Duration delay) {
    AtomicLong rows = new AtomicLong();
    AtomicLong idSum = new AtomicLong();
    AtomicLong cSum = new AtomicLong();
    return blocks
        .publishOn(Schedulers.boundedElastic(), 1)
        .doOnNext(b -> {
          try (b) {
            rows.addAndGet(b.rowCount());
            BigIntVector id = (BigIntVector) b.vector("id");
            BigIntVector c = (BigIntVector) b.vector("c");
            long s1 = 0;
            long s2 = 0;
            for (int i = 0; i < b.rowCount(); i++) {
              s1 += id.get(i);
              s2 += c.get(i);
            }
            idSum.addAndGet(s1);
            cSum.addAndGet(s2);
          }
          if (!delay.isZero()) {
            try {
              Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        })
        .then(Mono.fromSupplier(() -> new Received(rows.get(), idSum.get(), cSum.get())));
  }
}
