package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A cancelled sink gives back every block it received, whether the cancel catches one on its way
 * to the writing thread or in the write, and before it closes its writers. Each test waits for
 * the sink's I/O threads to finish (a cancel does not wait for the write in progress), by their
 * executor's termination: a bounded-elastic scheduler's {@code disposeGracefully()} can complete
 * while a task whose worker a cancel disposed still runs.
 */
class SinkRunTest extends ArenaTestSupport {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** One thread, so that a task holding it keeps the hand-off to the writer in transit. */
  private final ExecutorService ioThread = Executors.newSingleThreadExecutor();
  private final Scheduler io = Schedulers.fromExecutorService(ioThread);
  private final CountDownLatch free = new CountDownLatch(1);

  @AfterEach
  void ioDone() {
    free.countDown();
    ioTasksEnded();
  }

  /** Waits until every task on the I/O thread has run to its end. */
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
    return BlockBuilder.in(account).column("id", new long[] {i, i + 1}).build();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A job that counts what it is asked to do and can hold its writing thread. */
  private final class CountingJob implements SinkRun.Job {
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicInteger discards = new AtomicInteger();
    /** What the arena held when the job was closed. */
    final AtomicLong allocatedAtClose = new AtomicLong(-1);
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch mayFinishWrite;

    CountingJob(CountDownLatch mayFinishWrite) {
      this.mayFinishWrite = mayFinishWrite;
    }

    @Override
    public void write(Block block) {
      writes.incrementAndGet();
      writing.countDown();
      await(mayFinishWrite);
    }

    @Override
    public void finish() {}

    @Override
    public WriteSummary publish() {
      return new WriteSummary(List.of(), 0, 0);
    }

    @Override
    public void discard() {
      discards.incrementAndGet();
    }

    @Override
    public void close() {
      allocatedAtClose.set(arena.allocatedBytes());
      closes.incrementAndGet();
    }
  }

  @Test
  void aCancelDuringAWriteReleasesTheBlockBeforeClosingTheWriters() {
    CountDownLatch mayFinish = new CountDownLatch(1);
    CountingJob job = new CountingJob(mayFinish);
    Disposable run = SinkRun.run(Flux.range(0, 3).map(this::block), () -> job, io).subscribe();
    await(job.writing);
    run.dispose(); // the block being written stays with the writing thread until it returns
    mayFinish.countDown();
    ioTasksEnded();
    assertThat(job.writes).hasValue(1);
    assertThat(job.discards).hasPositiveValue();
    assertThat(job.closes).hasValue(1);
    // Closing writers may write and take long: the block was back before it started.
    assertThat(job.allocatedAtClose).hasValue(0);
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void aCancelWhileABlockWaitsForTheWritingThreadReleasesIt() {
    CountingJob job = new CountingJob(new CountDownLatch(0));
    Sinks.Many<Block> blocks = Sinks.many().unicast().onBackpressureBuffer();
    CountDownLatch asked = new CountDownLatch(1);
    Disposable run = SinkRun.run(blocks.asFlux().doOnRequest(n -> asked.countDown()),
        () -> job, io).subscribe();
    await(asked);
    CountDownLatch held = new CountDownLatch(1);
    io.schedule(() -> {
      held.countDown();
      await(free);
    });
    await(held);
    // Offered here; the writing thread is busy, so the block waits between the two threads.
    blocks.tryEmitNext(block(0)).orThrow();
    assertThat(arena.allocatedBytes()).isPositive();
    run.dispose();
    free.countDown();
    ioTasksEnded();
    assertThat(job.writes).hasValue(0);
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }
}
