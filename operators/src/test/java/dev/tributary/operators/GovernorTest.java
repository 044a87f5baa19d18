package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.Scannable.Attr;
import reactor.core.Scannable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The governor as a mechanism: it applies the credit, wakes on events and answers scans. */
class GovernorTest {
  private static final int ROWS = 1000; // 8 KiB of int64 a block

  private final Arena arena = Arena.create("governor", 64 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  private final CountingScheduler counted = new CountingScheduler(time);
  private final List<Block> kept = new CopyOnWriteArrayList<>();

  @AfterEach
  void noLeaks() {
    kept.forEach(Block::release);
    time.dispose();
    arena.awaitEmpty(Duration.ofSeconds(5));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  @Test
  void aThrowOutOfItsDrainEndsTheStreamInsteadOfStallingIt() {
    Account op = arena.openAccount("op");
    Scheduler worker = Schedulers.newSingle("governor-drain");
    try {
      Governor governor = Governor.of("g", op, worker, new OperatorStats("g"));
      // Reactor rethrows a LinkageError from doOnNext into the governor's drain loop.
      StepVerifier.create(ids(3, new AtomicLong()).transform(governor).doOnNext(b -> {
        b.close();
        throw new LinkageError("boom");
      })).expectErrorMessage("boom").verify(Duration.ofSeconds(30));
    } finally {
      worker.dispose();
    }
    assertThat(op.heldBytes()).isZero();
    op.close();
  }

  /** {@code blocks} blocks of ids, made on request, counting how many were made. */
  private Flux<Block> ids(int blocks, AtomicLong made) {
    return ids(blocks, ROWS, made);
  }

  private Flux<Block> ids(int blocks, int rows, AtomicLong made) {
    return Flux.range(0, blocks).map(i -> {
      made.incrementAndGet();
      return BlockBuilder.in(source)
          .column("id", LongStream.range((long) i * rows, (long) (i + 1) * rows).toArray())
          .build();
    });
  }

  /** A consumer that requests what it is told and keeps what it gets, unclosed. */
  private final class Keeper extends BaseSubscriber<Block> {
    final AtomicReference<Subscription> subscription = new AtomicReference<>();

    @Override
    protected void hookOnSubscribe(Subscription s) {
      subscription.set(s);
    }

    @Override
    protected void hookOnNext(Block b) {
      kept.add(b);
    }
  }

  /**
   * Source, then a governor on {@code op} feeding an identity stage, then the consumer's
   * pass-through boundary on its own account, then {@code keeper}: the shape of a pipeline.
   */
  private void pipeline(Flux<Block> source, Account op, Keeper keeper) {
    pipeline(source, op, keeper, MapBlocks.of("stage", (in, out) -> in, op));
  }

  private void pipeline(Flux<Block> source, Account op, Keeper keeper, MapBlocks stage) {
    Account output = arena.openAccount("output");
    source
        .transform(Governor.of("stage", op, counted, stage.stats()).feeding(stage.load()))
        .transform(stage)
        .transform(Governor.of("output", output, counted, new OperatorStats("output"))
            .passThrough())
        .subscribe(keeper);
  }

  @Test
  void aThrottledIdlePipelineDoesNoPeriodicWorkAndWakesOnARelease() {
    Account op = arena.openAccount("op", 64 * Bytes.KiB);
    AtomicLong made = new AtomicLong();
    Keeper keeper = new Keeper();
    pipeline(ids(1000, made), op, keeper);
    keeper.request(3);
    long admitted = made.get();
    assertThat(kept).hasSize(3);
    assertThat(admitted).as("the stage stops at its 64 KiB budget").isLessThan(12);

    int before = counted.tasks.get();
    time.advanceTimeBy(Duration.ofSeconds(10));
    assertThat(counted.tasks.get()).as("wakeups in 10 idle seconds").isEqualTo(before);
    assertThat(made.get()).isEqualTo(admitted);

    kept.remove(0).close();
    keeper.request(1);
    assertThat(made.get()).as("blocks moving on are room signals").isGreaterThan(admitted);
    long afterRelease = made.get();
    op.setBudget(256 * Bytes.KiB);
    assertThat(made.get()).as("so is a budget raise").isGreaterThan(afterRelease);
    keeper.cancel();
  }

  @Test
  void aStageWhoseBudgetCannotTakeTheNextBlockWaitsForMemoryWhileDownstreamAsks() {
    Account op = arena.openAccount("op", ROWS * 8L);
    // The stage's calls run only when this test says: a block stays in process.
    java.util.Queue<Runnable> calls = new java.util.concurrent.ConcurrentLinkedQueue<>();
    Scheduler held = Schedulers.fromExecutor(calls::add);
    MapBlocks stage = MapBlocks.of("stage", (in, out) -> in, op).concurrency(2, held);
    Account output = arena.openAccount("output");
    Keeper keeper = new Keeper();
    ids(10, new AtomicLong())
        .transform(Governor.of("stage", op, counted, stage.stats()).feeding(stage.load()))
        .transform(stage)
        .transform(Governor.of("output", output, counted, new OperatorStats("output"))
            .passThrough())
        .subscribe(keeper);
    keeper.request(100);
    // The first block measures the stage's output; the second is in process, and the budget of
    // one block has no room for a third and its output.
    calls.poll().run();
    assertThat(kept).hasSize(1);
    assertThat(stage.stats().waiting()).isEqualTo(WaitReason.MEMORY);
    assertThat(stage.stats().snapshot().heldBytes()).isPositive();
    while (kept.size() < 10) {
      Runnable call = calls.poll();
      assertThat(call).as("a call in process while blocks remain").isNotNull();
      call.run();
    }
    assertThat(stage.stats().waiting()).isEqualTo(WaitReason.NONE);
    assertThat(stage.stats().snapshot().throttledNanos()).isPositive();
    keeper.cancel();
  }

  @Test
  void aStageWhoseTasksAreAllBusyIsAtItsConcurrencyCap() {
    Account op = arena.openAccount("op");
    // The stage's calls run only when this test says: both tasks stay busy.
    java.util.Queue<Runnable> calls = new java.util.concurrent.ConcurrentLinkedQueue<>();
    Scheduler held = Schedulers.fromExecutor(calls::add);
    MapBlocks stage = MapBlocks.of("stage", (in, out) -> in, op).concurrency(2, held);
    Keeper keeper = new Keeper();
    ids(10, new AtomicLong())
        .transform(Governor.of("stage", op, counted, stage.stats()).feeding(stage.load()))
        .transform(stage)
        .subscribe(keeper);
    keeper.request(100);
    // The first block measures the stage's output; then both tasks take one each.
    calls.poll().run();
    assertThat(kept).hasSize(1);
    assertThat(calls).hasSize(2);
    assertThat(stage.stats().waiting()).isEqualTo(WaitReason.CONCURRENCY);
    assertThat(stage.stats().snapshot().waiting().describe()).isEqualTo("at its concurrency cap");
    while (kept.size() < 10) {
      Runnable call = calls.poll();
      assertThat(call).as("a call in process while blocks remain").isNotNull();
      call.run();
    }
    assertThat(stage.stats().waiting()).isEqualTo(WaitReason.NONE);
    keeper.cancel();
  }

  @Test
  void aStageWhoseInputSendsNothingWaitsForUpstreamAndOneWhoseConsumerStopsForDownstream() {
    Account op = arena.openAccount("op");
    Sinks.Many<Block> blocks = Sinks.many().unicast().onBackpressureBuffer();
    MapBlocks stage = MapBlocks.of("stage", (in, out) -> in, op);
    Keeper keeper = new Keeper();
    pipeline(blocks.asFlux(), op, keeper, stage);
    keeper.request(1);
    assertThat(stage.stats().waiting()).isEqualTo(WaitReason.UPSTREAM);
    for (int i = 0; i < 4; i++) {
      blocks.tryEmitNext(BlockBuilder.in(source).column("id", new long[ROWS]).build());
    }
    assertThat(kept).hasSize(1);
    assertThat(stage.stats().waiting()).isEqualTo(WaitReason.DOWNSTREAM);
    assertThat(stage.stats().snapshot().upstreamNanos()).isPositive();
    keeper.cancel();
    assertThat(stage.stats().waiting()).isEqualTo(WaitReason.NONE);
  }

  @Test
  void aGovernorHeldBackByTheArenaLooksAgainOnlyAtTheSlowFallback() {
    Account op = arena.openAccount("op");
    Account other = arena.openAccount("other");
    ArrowBuf filler = other.allocator().buffer(arena.limitBytes() - Bytes.MiB);
    AtomicLong made = new AtomicLong();
    Keeper keeper = new Keeper();
    pipeline(ids(100, 32 * 1024, made), op, keeper); // 256 KiB blocks
    keeper.request(1);
    long admitted = made.get();
    assertThat(admitted).as("held back by the arena's last MiB").isLessThan(8);

    int before = counted.tasks.get();
    time.advanceTimeBy(Duration.ofSeconds(1));
    long looks = counted.tasks.get() - before;
    // Each look is two tasks: the timer and the drain it schedules.
    assertThat(looks).isPositive().isLessThanOrEqualTo(2 * 1000 / Governor.FALLBACK_MILLIS);
    assertThat(made.get()).isEqualTo(admitted);
    filler.close();
    time.advanceTimeBy(Duration.ofMillis(Governor.FALLBACK_MILLIS));
    assertThat(made.get()).as("memory freed elsewhere is seen at the fallback")
        .isGreaterThan(admitted);
    keeper.cancel();
  }

  @Test
  void theSubscriberAnswersScans() {
    Account op = arena.openAccount("op", 64 * Bytes.KiB);
    Sinks.Many<Block> blocks = Sinks.many().unicast().onBackpressureBuffer();
    Keeper keeper = new Keeper();
    blocks.asFlux().transform(Governor.of("op", op, counted, new OperatorStats("op"))
        .passThrough()).subscribe(keeper);
    Scannable governor = Scannable.from(keeper.subscription.get()).parents()
        .filter(p -> p.stepName().equals("govern(op)")).findFirst().orElseThrow();
    assertThat(governor.scan(Attr.PARENT)).isNotNull();
    assertThat(governor.scan(Attr.ACTUAL)).isNotNull();
    assertThat(governor.scan(Attr.PREFETCH)).isEqualTo(1);
    assertThat(governor.scan(Attr.BUFFERED)).isZero();
    assertThat(governor.scan(Attr.TERMINATED)).isFalse();

    keeper.request(5);
    assertThat(governor.scan(Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(5L);
    for (int i = 0; i < 3; i++) {
      blocks.tryEmitNext(BlockBuilder.in(source).column("id", new long[ROWS]).build());
    }
    assertThat(kept).hasSize(3);
    assertThat(governor.scan(Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(2L);
    assertThat(governor.scan(Attr.PREFETCH)).as("the window doubled per block").isEqualTo(8);

    keeper.cancel();
    assertThat(governor.scan(Attr.CANCELLED)).isTrue();
    assertThat(governor.scan(Attr.BUFFERED)).isZero();
  }

  @Test
  void bufferedBlocksAreScannedAndTheEndIsTerminated() {
    Account op = arena.openAccount("op", 64 * Bytes.KiB);
    Keeper keeper = new Keeper();
    ids(2, new AtomicLong()).transform(Governor.of("op", op, counted, new OperatorStats("op"))
        .passThrough()).subscribe(keeper);
    Scannable governor = Scannable.from(keeper.subscription.get()).parents()
        .filter(p -> p.stepName().equals("govern(op)")).findFirst().orElseThrow();
    assertThat(governor.scan(Attr.BUFFERED)).as("read one ahead").isEqualTo(1);
    keeper.request(2);
    assertThat(governor.scan(Attr.TERMINATED)).isTrue();
    assertThat(kept).hasSize(2);
  }

  @Test
  void aConcurrentStageNeverHoldsMoreThanItsBudget() {
    Account op = arena.openAccount("op", 512 * Bytes.KiB);
    Scheduler pool = Schedulers.newParallel("governor-test", 4);
    try {
      // Each 8 KiB block becomes 32 KiB: 40 KiB a block in flight, about 12 in the budget.
      BlockTransform inflate = BlockTransform.reading((in, out) -> {
        long[] ids = ColumnReader.longs(in, "id");
        return BlockBuilder.in(out).column("id", ids).column("a", ids).column("b", ids)
            .column("c", ids).build();
      });
      MapBlocks map = MapBlocks.of("inflate", inflate, op).concurrency(4, pool);
      Governor governor = Governor.of("inflate", op, pool, map.stats()).feeding(map.load());
      AtomicLong sum = new AtomicLong();
      ids(400, new AtomicLong()).transform(governor).transform(map)
          .publishOn(pool, 1)
          .doOnNext(b -> {
            try (b) {
              sum.addAndGet(LongStream.of(ColumnReader.longs(b, "c")).sum());
            }
          })
          .blockLast(Duration.ofSeconds(60));
      long n = 400L * ROWS;
      assertThat(sum.get()).isEqualTo(n * (n - 1) / 2);
      assertThat(op.peakBytes()).as("peak of the stage's account").isLessThanOrEqualTo(512 * Bytes.KiB);
    } finally {
      pool.dispose();
    }
  }

  /** A scheduler whose workers count the tasks scheduled on them: the governor's wakeups. */
  private static final class CountingScheduler implements Scheduler {
    final AtomicInteger tasks = new AtomicInteger();
    private final Scheduler delegate;

    CountingScheduler(Scheduler delegate) {
      this.delegate = delegate;
    }

    @Override
    public Disposable schedule(Runnable task) {
      tasks.incrementAndGet();
      return delegate.schedule(task);
    }

    @Override
    public Worker createWorker() {
      Worker worker = delegate.createWorker();
      return new Worker() {
        @Override
        public Disposable schedule(Runnable task) {
          tasks.incrementAndGet();
          return worker.schedule(task);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
          tasks.incrementAndGet();
          return worker.schedule(task, delay, unit);
        }

        @Override
        public void dispose() {
          worker.dispose();
        }

        @Override
        public boolean isDisposed() {
          return worker.isDisposed();
        }
      };
    }
  }
}
