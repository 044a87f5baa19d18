package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * A Parquet write with several writers: files in name order hold the stream in order (read back
 * by DuckDB), the same files whatever the writers and block sizes, and nothing left (no file, no
 * byte, once the writer threads ended) after an upstream error, a writer's error or a cancel.
 */
class ConcurrentParquetWriteTest extends ArenaTestSupport {
  private static final int RUN = FileJob.PIECE_ROWS;
  /** Five runs of rows, the last one partial. */
  private static final int ROWS = 4 * RUN + 12_345;

  /** Rows {@code [from, from + rows)}: id, x = id / 2 (-0.5 for every 7th), s null every 5th. */
  private Block block(int from, int rows) {
    long[] id = new long[rows];
    double[] x = new double[rows];
    String[] s = new String[rows];
    for (int i = 0; i < rows; i++) {
      long v = from + i;
      id[i] = v;
      x[i] = v % 7 == 0 ? -0.5 : v / 2.0;
      s[i] = v % 5 == 0 ? null : "s" + v % 1000;
    }
    return BlockBuilder.in(account).column("id", id).column("x", x).column("s", s).build();
  }

  /** {@link #ROWS} rows in blocks of {@code size} rows, made as they are asked for. */
  private Flux<Block> rows(int size) {
    return Flux.range(0, (ROWS + size - 1) / size)
        .map(b -> block(b * size, Math.min(size, ROWS - b * size)));
  }

  private static List<List<Object>> expected() {
    List<List<Object>> out = new ArrayList<>();
    for (long v = 0; v < ROWS; v++) {
      out.add(Arrays.asList(v, v % 7 == 0 ? -0.5 : v / 2.0, v % 5 == 0 ? null : "s" + v % 1000));
    }
    return out;
  }

  /** Every file's rows as DuckDB reads them, files in name order, each in its own order. */
  private static List<List<Object>> inNameOrder(Path directory) {
    return DuckDbParquet.rows("SELECT id, x, s FROM read_parquet('" + directory
        + "/*.parquet', filename = true, file_row_number = true)"
        + " ORDER BY filename, file_row_number");
  }

  /** One file's ids, in the file's order. */
  private static List<Object> ids(Path file) {
    return DuckDbParquet.rows("SELECT id FROM read_parquet('" + file
        + "', file_row_number = true) ORDER BY file_row_number").stream()
        .map(r -> r.get(0)).toList();
  }

  private static List<String> listing(Path directory) throws IOException {
    try (Stream<Path> s = Files.walk(directory)) {
      return s.filter(p -> !p.equals(directory)).map(p -> directory.relativize(p).toString())
          .sorted().toList();
    }
  }

  @Test
  void filesInNameOrderHoldTheStreamInOrder() {
    Path out = dir.resolve("out");
    WriteSummary summary = ParquetSink.to(out).rowsPerFile(RUN).writers(3)
        .write(rows(10_000)).block();

    assertThat(summary.rows()).isEqualTo(ROWS);
    assertThat(summary.files()).hasSize(5).allMatch(Files::isRegularFile);
    assertThat(summary.files().stream().map(p -> p.getFileName().toString()).toList()).isSorted();
    assertThat(inNameOrder(out)).isEqualTo(expected());
  }

  @Test
  void theFilesAreTheSameWhateverTheWritersAndBlockSizes() {
    // About 24 bytes a row: two runs of rows per file.
    long bytes = 2L * RUN * 24;
    WriteSummary one = ParquetSink.to(dir.resolve("one")).fileBytes(bytes).writers(1)
        .write(rows(999)).block();
    WriteSummary three = ParquetSink.to(dir.resolve("three")).fileBytes(bytes).writers(3)
        .write(rows(100_000)).block();

    assertThat(one.files()).hasSize(3);
    assertThat(three.files()).hasSize(3);
    for (int f = 0; f < 3; f++) {
      assertThat(ids(three.files().get(f))).isEqualTo(ids(one.files().get(f)));
    }
    assertThat(ids(one.files().get(1))).first().isEqualTo((long) 2 * RUN);
    assertThat(inNameOrder(dir.resolve("three"))).isEqualTo(expected());
  }

  @Test
  void aSmallWriteIsOneFile() {
    WriteSummary summary = ParquetSink.to(dir.resolve("out")).writers(4)
        .write(Flux.defer(() -> Flux.just(block(0, 10), block(10, 10)))).block();

    assertThat(summary.files()).hasSize(1);
    assertThat(ids(summary.files().get(0))).hasSize(20);
  }

  @Test
  void writersAndFileBytesMustBePositive() {
    assertThatThrownBy(() -> ParquetSink.to(dir.resolve("out")).writers(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writers");
    assertThatThrownBy(() -> ParquetSink.to(dir.resolve("out")).fileBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fileBytes");
  }

  /** Runs {@code write} on a scheduler whose threads it waits for after. */
  private void onOwnThreads(java.util.function.Consumer<Scheduler> write)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      write.accept(Schedulers.fromExecutorService(pool));
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void anUpstreamErrorMidWriteLeavesNothing() throws Exception {
    Flux<Block> failing = Flux.concat(rows(50_000).take(4),
        Flux.error(new IllegalStateException("upstream failed")));
    onOwnThreads(io -> StepVerifier.create(ParquetSink.to(dir.resolve("out")).rowsPerFile(RUN)
            .writers(3).write(failing, io))
        .expectErrorMessage("upstream failed")
        .verify(Duration.ofSeconds(60)));

    assertThat(listing(dir)).isEmpty();
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(account.heldBytes()).as(arena.report()).isZero();
  }

  /**
   * A file job writing {@link #ROWS}-style blocks three files at once, one run of rows per file,
   * whose files fail on the piece holding row {@code bad}.
   */
  private static final class FailingJob extends FileJob {
    private final long bad;

    FailingJob(Path directory, long bad) {
      super(directory, ".bin", RUN, 0, List.of(), "failing", 3);
      this.bad = bad;
    }

    @Override
    FileOut open(Path path, org.apache.arrow.vector.types.pojo.Schema schema)
        throws IOException {
      Files.createFile(path);
      return new FileOut() {
        @Override
        public void write(Block rows) throws IOException {
          org.apache.arrow.vector.BigIntVector id =
              (org.apache.arrow.vector.BigIntVector) rows.root().getVector("id");
          if (id.get(0) <= bad && bad <= id.get(rows.rowCount() - 1)) {
            throw new IOException("disk full at row " + bad);
          }
        }

        @Override
        public void close() {}
      };
    }
  }

  @Test
  void aWritersErrorFailsTheWriteAndLeavesNothing() throws Exception {
    Path out = dir.resolve("out");
    onOwnThreads(io -> StepVerifier.create(
            SinkRun.run(rows(10_000), () -> new FailingJob(out, ROWS - 10), io))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(WriteException.class)
            .hasMessageContaining("writing").hasRootCauseMessage("disk full at row "
                + (ROWS - 10)))
        .verify(Duration.ofSeconds(60)));

    assertThat(listing(dir)).isEmpty();
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(account.heldBytes()).as(arena.report()).isZero();
  }

  @Test
  void aCancelWhileSeveralFilesAreWrittenLeavesNothing() throws Exception {
    Flux<Block> endless = Flux.concat(rows(50_000), Flux.never());
    onOwnThreads(io -> {
      Disposable write = ParquetSink.to(dir.resolve("out")).rowsPerFile(RUN).writers(3)
          .write(endless, io).subscribe();
      try {
        // Every block handed over and five files staged: the write now waits for more.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (listing(dir).size() < 6 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(listing(dir)).hasSizeGreaterThanOrEqualTo(6);
      } catch (IOException | InterruptedException e) {
        throw new AssertionError(e);
      } finally {
        write.dispose();
      }
    });

    assertThat(listing(dir)).isEmpty();
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(account.heldBytes()).as(arena.report()).isZero();
  }
}
