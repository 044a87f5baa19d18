package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * A Parquet write's heap is inside its budget: the row group a file buffers is charged to the
 * write's account and sized by the memory limit, so a small budget gives smaller row groups
 * rather than a heap the arena never sees.
 */
class ParquetWriteBudgetTest extends ArenaTestSupport {
  private static final int BLOCK_ROWS = 16_384;
  /** 32 MiB of incompressible doubles. */
  private static final int ROWS = 256 * BLOCK_ROWS;

  /** Block {@code i} of {@code x}: seeded random doubles (SNAPPY cannot shrink them). */
  private static Block block(Account owner, int i) {
    SplittableRandom random = new SplittableRandom(i);
    double[] x = new double[BLOCK_ROWS];
    for (int r = 0; r < x.length; r++) {
      x[r] = random.nextDouble();
    }
    return BlockBuilder.in(owner).column("x", x).build();
  }

  private static double expectedSum() {
    double sum = 0;
    for (int i = 0; i < ROWS / BLOCK_ROWS; i++) {
      SplittableRandom random = new SplittableRandom(i);
      for (int r = 0; r < BLOCK_ROWS; r++) {
        sum += random.nextDouble();
      }
    }
    return sum;
  }

  private static Flux<Block> blocks(Account owner) {
    return Flux.range(0, ROWS / BLOCK_ROWS).map(i -> block(owner, i));
  }

  private static List<BlockMetaData> rowGroups(Path directory) throws Exception {
    Path file;
    try (var files = java.nio.file.Files.list(directory)) {
      file = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getFooter().getBlocks();
    }
  }

  private static void readBackByDuckDb(Path directory) {
    List<List<Object>> got = DuckDbParquet.rows("SELECT count(*), sum(x) FROM read_parquet('"
        + directory + "/*.parquet')");
    assertThat(((Number) got.get(0).get(0)).longValue()).isEqualTo(ROWS);
    assertThat(((Number) got.get(0).get(1)).doubleValue())
        .isCloseTo(expectedSum(), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void theRowGroupABufferedFileHoldsIsChargedToTheWrite() throws Exception {
    Path out = dir.resolve("charged");
    arena.resetPeak();
    WriteSummary summary = ParquetSink.to(out).writers(1).write(blocks(account)).block();

    assertThat(summary.rows()).isEqualTo(ROWS);
    // 256 MiB arena, one writer: a 64 MiB row group, so the file's 32 MiB of pages are buffered
    // until it closes; the blocks themselves never held more than a few at once.
    assertThat(rowGroups(out)).hasSize(1);
    assertThat(arena.peakBytes()).isGreaterThan(30 * Bytes.MiB);
    readBackByDuckDb(out);
  }

  @Test
  void aSmallBudgetWritesSmallerRowGroupsAndStaysInside() throws Exception {
    long limit = 16 * Bytes.MiB;
    Arena small = Arena.create("small-write", limit);
    try {
      Account owner = small.openAccount("source");
      Path out = dir.resolve("small");
      WriteSummary summary = ParquetSink.to(out).writers(1).write(blocks(owner)).block();

      assertThat(summary.rows()).isEqualTo(ROWS);
      List<BlockMetaData> groups = rowGroups(out);
      // A quarter of the limit for the one open file: 4 MiB row groups, 8 of them or more.
      assertThat(groups).hasSizeGreaterThanOrEqualTo(8);
      assertThat(groups).allMatch(g -> g.getTotalByteSize() <= 5 * Bytes.MiB,
          "each row group within the file's share");
      assertThat(small.peakBytes()).isLessThanOrEqualTo(limit);
      readBackByDuckDb(out);
      owner.close();
      small.awaitEmpty(Duration.ofSeconds(5));
      assertThat(small.allocatedBytes()).as(small.report()).isZero();
    } finally {
      small.close();
    }
  }

  @Test
  void interleavedPartitionsUnderTheOpenFileLimitWriteOneFileEach() throws Exception {
    int partitions = 20;
    Path out = dir.resolve("partitioned");
    // Every block holds rows of every partition, as unclustered data does.
    Flux<Block> rows = Flux.range(0, 40).map(i -> {
      long[] id = new long[BLOCK_ROWS];
      long[] p = new long[BLOCK_ROWS];
      for (int r = 0; r < BLOCK_ROWS; r++) {
        id[r] = (long) i * BLOCK_ROWS + r;
        p[r] = id[r] % partitions;
      }
      return BlockBuilder.in(account).column("id", id).column("p", p).build();
    });
    WriteSummary summary = ParquetSink.to(out).partitionBy("p").write(rows).block();

    assertThat(summary.files()).hasSize(partitions);
    long n = 40L * BLOCK_ROWS;
    assertThat(DuckDbParquet.rows("SELECT count(*), sum(id)::BIGINT, count(DISTINCT p) FROM read_parquet('"
        + out + "/*/*.parquet', hive_partitioning = true)"))
        .isEqualTo(List.of(List.of(n, n * (n - 1) / 2, (long) partitions)));
  }

  @Test
  void parquetMrsRecordWriterIsChargedItsRowGroup() throws Exception {
    Path out = dir.resolve("nested");
    arena.resetPeak();
    // A list column takes parquet-mr's record writer.
    Flux<Block> lists = Flux.defer(() -> Flux.just(BlockBuilder.in(account)
        .column("xs", new Object[] {List.of(1L, 2L), List.of(), null}).build()));
    WriteSummary summary = ParquetSink.to(out).writers(1).write(lists).block();

    assertThat(summary.rows()).isEqualTo(3);
    assertThat(arena.peakBytes()).as("the 64 MiB row group charged while the file was open")
        .isGreaterThanOrEqualTo(64 * Bytes.MiB);
    assertThat(DuckDbParquet.rows("SELECT len(xs) FROM read_parquet('" + out
        + "/*.parquet') ORDER BY 1 NULLS LAST")).isEqualTo(
            List.of(List.of(0L), List.of(2L), java.util.Arrays.asList((Object) null)));
  }
}
