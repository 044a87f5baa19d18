package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The hand-off of blocks between threads, each shape: every block reaches its receiver once, or
 * is released, also when a cancel or an error catches it in transit. A block is caught in transit
 * deterministically by keeping the receiving scheduler's one thread busy (or a lane not done).
 */
class HandOffTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Arena arena = Arena.create("hand-off", 64 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  /**
   * One thread, so that a task holding it keeps every hand-off onto it in transit; waited for by
   * its executor's termination (a bounded-elastic scheduler's {@code disposeGracefully()} can
   * complete while a task whose worker a cancel disposed still runs).
   */
  private final ExecutorService ioThread =
      Executors.newSingleThreadExecutor(task -> new Thread(task, "hand-off-io"));
  private final Scheduler io = Schedulers.fromExecutorService(ioThread);
  private final CountDownLatch busy = new CountDownLatch(1);

  @AfterEach
  void nothingLeft() {
    busy.countDown();
    ioTasksEnded();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  /** Waits until every task on the scheduler's thread has run to its end. */
  private void ioTasksEnded() {
    ioThread.shutdown();
    try {
      assertThat(ioThread.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Block block(long i) {
    return TestBlocks.of(source, new long[] {i, i + 1});
  }

  private Flux<Block> blocks(int count) {
    return Flux.range(0, count).map(this::block);
  }

  /** Holds the scheduler's one thread until the test ends. */
  private void occupyScheduler() {
    CountDownLatch started = new CountDownLatch(1);
    io.schedule(() -> {
      started.countDown();
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      started.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anOfferAfterCloseIsReleasedAndRefused() {
    HandOff transit = new HandOff();
    Block inTransit = block(0);
    assertThat(transit.offer(inTransit)).isTrue();
    transit.close();
    assertThat(inTransit.isClosed()).isTrue();
    assertThat(transit.take(inTransit)).isFalse();
    Block late = block(1);
    assertThat(transit.offer(late)).isFalse();
    assertThat(late.isClosed()).isTrue();
  }

  @Test
  void aTakenBlockBelongsToTheTaker() {
    HandOff transit = new HandOff();
    Block b = block(0);
    transit.offer(b);
    assertThat(transit.take(b)).isTrue();
    assertThat(transit.take(b)).isFalse();
    transit.close();
    assertThat(b.isClosed()).isFalse();
    b.close();
  }

  @Test
  void theConsumerGetsEveryBlockInOrderOnTheScheduler() {
    List<Long> firsts = new CopyOnWriteArrayList<>();
    StepVerifier.create(HandOff.consume(blocks(100), io, b -> {
      try (b) {
        assertThat(Thread.currentThread().getName()).startsWith("hand-off-io");
        firsts.add(TestBlocks.values(b)[0]);
      }
    })).expectComplete().verify(WAIT);
    assertThat(firsts).hasSize(100).isSorted();
  }

  @Test
  void aCancelReleasesTheBlockWaitingForTheConsumersThread() {
    occupyScheduler();
    AtomicInteger given = new AtomicInteger();
    // Subscribing sends the first block at once; the consumer's thread is busy, so it waits.
    Disposable run = HandOff.consume(blocks(10), io, b -> {
      given.incrementAndGet();
      b.close();
    }).subscribe();
    assertThat(arena.allocatedBytes()).isPositive();
    run.dispose();
    busy.countDown();
    ioTasksEnded();
    assertThat(given).hasValue(0);
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void aConsumerThatFailsEndsTheStreamWithItsError() {
    StepVerifier.create(HandOff.consume(blocks(10), io, b -> {
      b.close();
      throw new IllegalStateException("boom");
    })).expectErrorMessage("boom").verify(WAIT);
  }

  @Test
  void aRefusedHandOffEndsTheStreamWithTheErrorAndReleasesTheBlock() {
    // An executor that runs its first task (the subscriber's request, nothing to hand over
    // yet) and refuses every later one, as a full or shut-down one would.
    AtomicInteger tasks = new AtomicInteger();
    Scheduler gone = Schedulers.fromExecutor(task -> {
      if (tasks.getAndIncrement() > 0) {
        throw new RejectedExecutionException("full");
      }
      task.run();
    });
    AtomicInteger made = new AtomicInteger();
    // The block is offered, then the scheduler refuses the task that would take it.
    StepVerifier.create(HandOff.consume(blocks(3).doOnNext(b -> made.incrementAndGet()), gone,
            Block::close))
        .expectError(RejectedExecutionException.class)
        .verify(WAIT);
    assertThat(made).hasValue(1);
  }

  @Test
  void publishOnHandsEveryBlockOnInOrderOnTheScheduler() {
    StepVerifier.create(HandOff.publishOn(blocks(50), io)
            .map(b -> {
              try (b) {
                assertThat(Thread.currentThread().getName()).startsWith("hand-off-io");
                return TestBlocks.values(b)[0];
              }
            }))
        .expectNextSequence(Flux.range(0, 50).map(Long::valueOf).toIterable())
        .expectComplete().verify(WAIT);
  }

  @Test
  void publishOnCancelledWhileABlockIsInTransitReleasesIt() {
    occupyScheduler();
    List<Block> received = new CopyOnWriteArrayList<>();
    Disposable run = HandOff.publishOn(blocks(10), io).subscribe(received::add);
    assertThat(arena.allocatedBytes()).isPositive();
    run.dispose();
    busy.countDown();
    ioTasksEnded();
    assertThat(received).isEmpty();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void fanOutMergesTheLanesOutputsInOrder() {
    Flux<Block> out = HandOff.fanOut(Flux.range(0, 40), (Integer i, HandOff transit) ->
        Mono.fromCallable(() -> block(i)).publishOn(io).handle((Block b, SynchronousSink<Block> sink) -> {
          if (transit.offer(b)) {
            sink.next(b);
          }
        }), 4, true);
    StepVerifier.create(out.map(b -> {
      try (b) {
        return TestBlocks.values(b)[0];
      }
    })).expectNextSequence(Flux.range(0, 40).map(Long::valueOf).toIterable())
        .expectComplete().verify(WAIT);
  }

  @Test
  void fanOutCancelledWhileInputsWaitForTheirThreadReleasesThem() {
    occupyScheduler();
    for (boolean ordered : new boolean[] {true, false}) {
      List<Block> received = new CopyOnWriteArrayList<>();
      // Each input is offered here and taken on the (busy) lane thread: four wait in transit.
      Disposable run = HandOff.fanOut(blocks(10), (Block b, HandOff transit) -> {
        transit.offer(b);
        return Mono.just(b).publishOn(io).handle((Block x, SynchronousSink<Block> sink) -> {
          if (transit.take(x) && transit.offer(x)) {
            sink.next(x);
          }
        });
      }, 4, ordered).subscribe(received::add);
      assertThat(arena.allocatedBytes()).isPositive();
      run.dispose();
      assertThat(received).as("ordered " + ordered).isEmpty();
    }
    busy.countDown();
    ioTasksEnded();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void aLaneThatFailsWhileAnotherLanesBlockWaitsInTheMergeReleasesIt() {
    Sinks.Empty<Void> secondEmitted = Sinks.empty();
    // Ordered: lane 1's block waits in the merge until lane 0 ends, and lane 0 fails then.
    Flux<Block> out = HandOff.fanOut(Flux.range(0, 2), (Integer i, HandOff transit) -> i == 0
        ? Mono.<Block>error(new IllegalStateException("lane 0 failed"))
            .delaySubscription(secondEmitted.asMono())
        : Flux.concat(Mono.fromCallable(() -> block(i)).filter(transit::offer),
            Mono.<Block>fromRunnable(secondEmitted::tryEmitEmpty)), 2, true);
    StepVerifier.create(out).expectErrorMessage("lane 0 failed").verify(WAIT);
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void fanOutCancelledWhileALanesBlockWaitsInTheMergeReleasesIt() {
    Flux<Block> out = HandOff.fanOut(Flux.range(0, 2), (Integer i, HandOff transit) -> i == 0
        ? Mono.<Block>never()
        : Mono.fromCallable(() -> block(i)).filter(transit::offer), 2, true);
    StepVerifier.create(out).expectSubscription()
        .then(() -> assertThat(arena.allocatedBytes()).isPositive())
        .thenCancel().verify(WAIT);
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }
}
