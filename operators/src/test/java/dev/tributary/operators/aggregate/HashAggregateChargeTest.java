package dev.tributary.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The aggregation's hash table lives on the heap but is charged to the operator's account: the
 * account holds it while the table is built and nothing once the run completes, is cancelled or
 * fails.
 */
class HashAggregateChargeTest {
  private static final int BLOCKS = 8;
  private static final int ROWS = 10_000;
  /** The least a group costs in the table's estimate: its entry and its key. */
  private static final long GROUP_BYTES = 48 + 32;

  private final Arena arena = Arena.create("aggregate", 256 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Account account = arena.openAccount("aggregate", 128 * Bytes.MiB, 256 * Bytes.MiB);
  private final Scheduler io = Schedulers.newBoundedElastic(2, 1000, "aggregate-io");
  private final Sinks.Many<Block> input = Sinks.many().unicast().onBackpressureBuffer();

  @TempDir Path spillDir;

  @AfterEach
  void noLeaksAndNoSpillFiles() throws Exception {
    io.disposeGracefully().block(Duration.ofSeconds(30));
    // A cancel frees on the I/O thread once its step ends, which the scheduler's graceful
    // disposal does not always wait for (a publishOn worker is released on cancel): wait for it.
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(account.heldBytes()).as(arena.report()).isZero();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
    try (Stream<Path> left = Files.list(spillDir)) {
      assertThat(left).isEmpty();
    }
  }

  /** Block {@code b}: {@link #ROWS} distinct keys, x = 1. */
  private Block block(int b) {
    long[] keys = LongStream.range((long) b * ROWS, (long) (b + 1) * ROWS).toArray();
    double[] x = new double[ROWS];
    java.util.Arrays.fill(x, 1.0);
    return BlockBuilder.in(source).column("k", keys).column("x", x).build();
  }

  private Flux<Block> aggregate() {
    return input.asFlux().transform(HashAggregate.of(List.of("k"),
        List.of(Aggregate.sum("x"), Aggregate.count()), account, io).spillTo(spillDir));
  }

  /** Feeds every block, then waits until the account holds at least the table of all groups. */
  private void feedAndAwaitTable() {
    for (int b = 0; b < BLOCKS; b++) {
      assertThat(input.tryEmitNext(block(b)).isSuccess()).isTrue();
    }
    long table = (long) BLOCKS * ROWS * GROUP_BYTES;
    awaitAtLeast(account::heldBytes, table);
    assertThat(arena.allocatedBytes()).isGreaterThanOrEqualTo(table);
  }

  private static void awaitAtLeast(LongSupplier value, long least) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (value.getAsLong() < least && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertThat(value.getAsLong()).isGreaterThanOrEqualTo(least);
  }

  @Test
  void theTableIsHeldWhileBuildingAndReleasedAfterCompletion() {
    long[] groups = new long[1];
    double[] sum = new double[1];
    StepVerifier.create(aggregate().doOnNext(b -> {
      try (b) {
        groups[0] += b.rowCount();
        for (double v : ColumnReader.doubles(b, "sum(x)")) {
          sum[0] += v;
        }
      }
    }))
        .then(this::feedAndAwaitTable)
        .then(input::tryEmitComplete)
        .thenConsumeWhile(b -> true)
        .verifyComplete();
    assertThat(groups[0]).isEqualTo((long) BLOCKS * ROWS);
    assertThat(sum[0]).isEqualTo((double) BLOCKS * ROWS);
    assertThat(account.peakBytes()).isGreaterThanOrEqualTo((long) BLOCKS * ROWS * GROUP_BYTES);
    assertThat(arena.peakBytes()).isGreaterThanOrEqualTo((long) BLOCKS * ROWS * GROUP_BYTES);
  }

  @Test
  void aCancelWhileBuildingReleasesTheTable() {
    Disposable run = aggregate().subscribe(Block::release);
    feedAndAwaitTable();
    run.dispose();
    // The table is freed after the step in progress, on an I/O thread: the @AfterEach waits.
  }

  @Test
  void anErrorWhileBuildingReleasesTheTable() {
    StepVerifier.create(aggregate())
        .then(this::feedAndAwaitTable)
        .then(() -> input.tryEmitError(new IllegalStateException("upstream failed")))
        .verifyErrorMessage("upstream failed");
  }
}
