package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.MemoryLeakException;
import dev.tributary.operators.UserFunctionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.arrow.vector.IntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Consuming a dataset is safe by default: what a consumer or a user function leaves is found,
 * named (execution and operator) and given back, at once where Tributary can know it, else once
 * the garbage collector finds it unreachable.
 */
class ConsumptionSafetyTest {
  private final List<MemoryLeakException> leaks = new CopyOnWriteArrayList<>();
  /** Leaks are expected here: they are collected, not raised. */
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("safety")
      .memoryLimit(32 * Bytes.MiB).onLeak(leaks::add).failOnLeak(false).build();
  private final Arena arena = runtime.arena();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** 2M int64 ids, 15 MiB: half the runtime's limit. */
  private Dataset ids() {
    return Tributary.range(2_000_000, 20).withRuntime(runtime);
  }

  /** Runs the garbage collector until {@code done} holds (cleaners run on their own thread). */
  private static void collectUntil(BooleanSupplier done) {
    for (int i = 0; i < 200 && !done.getAsBoolean(); i++) {
      System.gc();
      LockSupport.parkNanos(10_000_000);
    }
  }

  private static void assertNamed(MemoryLeakException leak, String operator) {
    assertThat(leak).hasMessageContaining("execution 'safety#")
        .hasMessageContaining("operator '" + operator + "'");
  }

  @Test
  void countingTheRawFluxTenTimesReclaimsTheUnclosedBlocksAndNamesTheLeak() {
    // Ten runs hand out 150 MiB of blocks nobody closes, through a 32 MiB runtime.
    for (int run = 0; run < 10; run++) {
      assertThat(ids().toFlux().count().block()).isEqualTo(20);
    }
    assertThat(leaks).isNotEmpty().allSatisfy(leak -> {
      assertNamed(leak, "Output");
      assertThat(leak).hasMessageContaining("never closed");
    });
    collectUntil(() -> arena.allocatedBytes() == 0);
  }

  @Test
  void aFunctionThatAllocatesAndThrowsFailsAtOnceWithItsLeakNamedAndReleased() {
    Dataset ds = ids().mapBatchesArrow((root, allocator) -> {
      IntVector scratch = new IntVector("scratch", allocator);
      scratch.allocateNew(100_000);
      throw new IllegalStateException("boom");
    }, MapBatchesOptions.defaults());
    assertThatThrownBy(ds::count)
        .isInstanceOf(UserFunctionException.class)
        .hasRootCauseMessage("boom")
        .satisfies(e -> assertThat(e.getSuppressed()).anySatisfy(s -> {
          assertThat(s).isInstanceOf(MemoryLeakException.class);
          assertNamed((MemoryLeakException) s, "MapBatches");
        }));
    // Released when the execution ended, before count() returned: no wait, nothing left.
    assertThat(arena.allocatedBytes()).isZero();
    assertThat(leaks).singleElement().satisfies(leak -> assertNamed(leak, "MapBatches"));
  }

  @Test
  void aFunctionThatLeaksFailsTheConsumerWhenTheRuntimeFailsOnLeaks() {
    try (TributaryRuntime strict = TributaryRuntime.builder().name("strict")
        .memoryLimit(32 * Bytes.MiB).failOnLeak(true).build()) {
      Dataset ds = Tributary.range(1000, 2).withRuntime(strict).mapBatchesArrow(
          (root, allocator) -> {
            new IntVector("forgotten", allocator).allocateNew(1000);
            return root;
          }, MapBatchesOptions.defaults().withZeroCopyBatch(true));
      assertThatThrownBy(ds::count).isInstanceOf(MemoryLeakException.class)
          .hasMessageContaining("execution 'strict#1").hasMessageContaining("'MapBatches'");
      StepVerifier.create(ds.countMono()).verifyError(MemoryLeakException.class);
      assertThat(strict.arena().allocatedBytes()).isZero();
    }
  }

  @Test
  void aStreamClosedEarlyGivesItsPrefetchedBlockBack() {
    try (Stream<Block> blocks = ids().toFlux().toStream(1)) {
      blocks.findFirst().orElseThrow().close();
    }
    collectUntil(() -> arena.allocatedBytes() == 0);
    assertThat(arena.allocatedBytes()).isZero();
  }

  /** Reads one block through Reactor's iterable and leaves by break, as users write it. */
  private static long firstRowsThenBreak(Dataset ds) {
    long rows = 0;
    for (Block b : ds.toFlux().toIterable()) {
      rows += b.rowCount();
      b.close();
      break;
    }
    return rows;
  }

  @Test
  void anIterableLeftByBreakGivesItsPrefetchedBlocksBackOnceUnreachable() {
    // Reactor never cancels here; the blocks it prefetched are reclaimed once the iterator is
    // garbage, and named.
    assertThat(firstRowsThenBreak(ids())).isEqualTo(100_000);
    // The other 19 blocks all fit the iterable's prefetch: they are handed out, then dropped;
    // the first is reported at once, all 19 together once the last is reclaimed.
    collectUntil(() -> leaks.size() == 2 && arena.allocatedBytes() == 0);
    assertThat(arena.allocatedBytes()).isZero();
    assertThat(leaks).hasSize(2).allSatisfy(leak -> assertNamed(leak, "Output"));
    assertThat(leaks.get(1)).hasMessageContaining("19 blocks");
  }

  /** Subscribes for one block, closes it, and drops the subscriber without cancelling. */
  private static void takeOneAndWalkAway(Dataset ds) {
    ds.toFlux().subscribe(new reactor.core.publisher.BaseSubscriber<Block>() {
      @Override
      protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
        request(1);
      }

      @Override
      protected void hookOnNext(Block block) {
        block.close();
      }
    });
  }

  @Test
  void anExecutionWhoseSubscriberWalkedAwayEndsAndGivesEverythingBack() {
    Account user = arena.openAccount("user");
    List<Block> made = java.util.stream.IntStream.range(0, 8)
        .mapToObj(i -> BlockBuilder.in(user).column("id", new long[100_000]).build()).toList();
    // A source that never completes: once its subscriber is gone, nothing of the execution is
    // scheduled or referenced any more.
    Dataset endless = Tributary.fromFlux(reactor.core.publisher.Flux.concat(
        reactor.core.publisher.Flux.fromIterable(made), reactor.core.publisher.Flux.never()))
        .withRuntime(runtime).filter(r -> true);
    takeOneAndWalkAway(endless);
    // The governors take only what their credit allows, so blocks the source was never asked
    // for stay the user's; everything the execution took comes back.
    collectUntil(() -> !runtime.running().active()
        && arena.allocatedBytes() == user.heldBytes());
    assertThat(runtime.running().active()).as("the execution ended").isFalse();
    assertThat(arena.allocatedBytes()).as("only blocks never taken").isEqualTo(user.heldBytes());
    made.forEach(Block::release);
    assertThat(arena.allocatedBytes()).isZero();
    user.close();
  }

  @Test
  void aClosedIteratorReleasesWhatItFetchedAheadAtOnce() {
    long rows = 0;
    try (BlockIterator blocks = ids().iterator()) {
      while (blocks.hasNext()) {
        try (Block b = blocks.next()) {
          rows += b.rowCount();
        }
        if (rows >= 300_000) {
          break;
        }
      }
    }
    assertThat(rows).isEqualTo(300_000);
    // A source block being made on an I/O thread when the close came is released when it is done.
    assertThat(arena.awaitEmpty(Duration.ofSeconds(1))).as(arena.report()).isTrue();
    try (BlockIterator all = ids().iterator()) {
      long n = 0;
      while (all.hasNext()) {
        try (Block b = all.next()) {
          n += b.rowCount();
        }
      }
      assertThat(n).isEqualTo(2_000_000);
      assertThat(all.hasNext()).isFalse();
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void anIteratorRaisesTheExecutionsError() {
    Dataset failing = ids().map(r -> {
      if ((Long) r.get("id") == 500_000) {
        throw new IllegalArgumentException("bad row");
      }
      return r;
    });
    try (BlockIterator blocks = failing.iterator()) {
      assertThatThrownBy(() -> {
        while (blocks.hasNext()) {
          blocks.next().close();
        }
      }).isInstanceOf(UserFunctionException.class).hasRootCauseMessage("bad row");
    }
    assertThat(arena.allocatedBytes()).isZero();
  }

  @Test
  void toFluxWithAFunctionNeedsNoClosing() {
    List<Integer> rows = ids().toFlux(Block::rowCount).collectList().block();
    assertThat(rows).hasSize(20).allMatch(n -> n == 100_000);
    // The function may close the block itself, or fail: either way nothing is left.
    assertThat(ids().toFlux(b -> {
      b.close();
      return 1;
    }).count().block()).isEqualTo(20);
    StepVerifier.create(ids().toFlux(b -> {
      throw new IllegalStateException("no");
    })).verifyErrorMessage("no");
    assertThat(Mono.from(ids().toFlux(Block::rowCount).take(1)).block()).isEqualTo(100_000);
    assertThat(leaks).isEmpty();
  }
}
