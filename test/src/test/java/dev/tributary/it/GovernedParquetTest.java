package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.Dataset;
import dev.tributary.ExecutionStats;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * Governance covers sources: parallel Parquet reads of many times the memory limit, through a
 * 4x-inflating stage of concurrency 4, into a slow consumer, throttle and never fail.
 */
@Timeout(120)
class GovernedParquetTest {
  private static final long LIMIT = 16 * Bytes.MiB;
  /** Rows of each file. */
  private static final long ROWS = 2_200_000;
  /** Copies of the file read: 3 x 2.2M rows of ~52 bytes decoded, about 20x the limit. */
  private static final int COPIES = 3;

  @TempDir static Path dir;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("governed-parquet")
      .memoryLimit(LIMIT).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @BeforeAll
  static void writeFiles() throws IOException {
    Workloads.parquetCopies(ROWS, COPIES, dir);
  }

  @AfterEach
  void noLeaks() {
    // Closing the runtime waits for its executions to give their memory back.
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private Dataset pipeline() {
    return Tributary.readParquet(ParquetSource.of(List.of(dir.toString())).parallelism(4))
        .withRuntime(runtime)
        .mapBatchesArrow((in, allocator) -> Workloads.inflate(in, allocator, 4),
            MapBatchesOptions.defaults().withConcurrency(4).withZeroCopyBatch(true));
  }

  @Test
  void parallelReadsOfTwentyTimesTheLimitThroughAnInflatingStageIntoASlowSinkStayUnderIt() {
    Dataset ds = pipeline();
    Workloads.Received got = Workloads.sink(ds.toFlux(), Duration.ofMillis(2)).block();
    Workloads.Received one = Workloads.Received.expected(ROWS);
    assertThat(got).isEqualTo(new Workloads.Received(
        COPIES * one.rows(), COPIES * one.idSum(), COPIES * one.cSum()));
    assertThat(arena.peakBytes()).isLessThanOrEqualTo(LIMIT);
    ExecutionStats stats = ds.stats();
    assertThat(stats.operator("ReadParquet").bytesOut())
        .as("decoded bytes read").isGreaterThanOrEqualTo(20 * LIMIT);
  }

  @Test
  void cancellingHalfwayLeavesNothingAllocatedWithinASecond() {
    Dataset ds = pipeline();
    // About 700 blocks in all: stop at half.
    StepVerifier.create(ds.toFlux().doOnNext(Block::close).take(350))
        .expectNextCount(350)
        .verifyComplete();
    assertThat(arena.awaitEmpty(Duration.ofSeconds(1))).as(arena.report()).isTrue();
  }
}
