package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The stateful worker pool: one instance per worker, exclusive, reused, closed, scaled. */
class WorkerPoolTest {
  private final Arena arena = Arena.create("pool", 128 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Account op = arena.openAccount("op");
  /** Parallel threads: BlockHound rejects blocking there, so the plain tests never block. */
  private final Scheduler cpu = Schedulers.newParallel("pool-cpu", 4);
  /** Threads that may block, for the tests that hold workers at a gate. */
  private final Scheduler gated = Schedulers.newBoundedElastic(8, 1000, "pool-gated");

  private final AtomicInteger made = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final AtomicBoolean sharedCall = new AtomicBoolean();
  private final Set<Integer> instancesUsed = ConcurrentHashMap.newKeySet();

  @AfterEach
  void noLeaks() {
    // Workers release what a cancel or error left them after the consumer saw the signal: wait
    // for their threads to finish before counting bytes.
    cpu.disposeGracefully().block(Duration.ofSeconds(60));
    gated.disposeGracefully().block(Duration.ofSeconds(60));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private Block block(long from, int rows) {
    return BlockBuilder.in(source).column("id", LongStream.range(from, from + rows).toArray())
        .build();
  }

  private Flux<Block> ids(int blocks, int rows) {
    return Flux.range(0, blocks).map(i -> block((long) i * rows, rows));
  }

  /**
   * An instance that adds its number to every id: it detects being called from two threads at
   * once, counts itself made and closed, and optionally waits at a gate or fails on a block.
   */
  private final class Model implements BlockTransform, AutoCloseable {
    private final int number = made.incrementAndGet();
    private final AtomicInteger inside = new AtomicInteger();
    private final Semaphore gate;
    private final CountDownLatch closes;
    private final long failAt;

    Model(Semaphore gate, CountDownLatch closes, long failAt) {
      this.gate = gate;
      this.closes = closes;
      this.failAt = failAt;
    }

    @Override
    public Block apply(Block in, Account out) {
      if (inside.incrementAndGet() > 1) {
        sharedCall.set(true);
      }
      try {
        instancesUsed.add(number);
        if (gate != null) {
          gate.acquireUninterruptibly();
        }
        long[] id = ColumnReader.longs(in, "id");
        if (id[0] == failAt) {
          throw new IllegalStateException("model failed on " + failAt);
        }
        long[] shifted = new long[id.length];
        for (int i = 0; i < id.length; i++) {
          shifted[i] = id[i] * 10;
        }
        return BlockBuilder.in(out).column("id", shifted).build();
      } finally {
        inside.decrementAndGet();
        in.release(); // a transform consumes its input
      }
    }

    @Override
    public void close() {
      closed.incrementAndGet();
      if (closes != null) {
        closes.countDown();
      }
    }
  }

  private static List<Long> drain(Flux<Block> flux) {
    List<Long> out = new ArrayList<>();
    flux.doOnNext(b -> {
      try (b) {
        for (long v : ColumnReader.longs(b, "id")) {
          out.add(v);
        }
      }
    }).blockLast(Duration.ofSeconds(60));
    return out;
  }

  @Test
  void eachWorkerMakesItsInstanceOnceReusesItAndNeverSharesIt() throws InterruptedException {
    WorkerPool pool = WorkerPool.of("embed", () -> new Model(null, null, -1), op, 2, 2, cpu);
    List<Long> out = drain(ids(200, 50).transform(pool));

    assertThat(out).containsExactlyElementsOf(
        LongStream.range(0, 10_000).map(v -> v * 10).boxed().toList());
    assertThat(made).hasValue(2);
    assertThat(instancesUsed).containsExactlyInAnyOrder(1, 2);
    assertThat(sharedCall).isFalse();
    assertThat(closedSoon(2)).isEqualTo(2);
    assertThat(pool.stats().snapshot().peakWorkers()).isEqualTo(2);
    assertThat(pool.stats().snapshot().workers()).isZero();
  }

  @Test
  void growsWhileItsQueueStaysFullAndShrinksToTheMinimumWhenIdle() throws InterruptedException {
    Semaphore gate = new Semaphore(0);
    CountDownLatch twoRetired = new CountDownLatch(2);
    WorkerPool pool = WorkerPool.of("embed", () -> new Model(gate, twoRetired, -1), op, 1, 3,
        gated);
    Sinks.Many<Block> input = Sinks.many().unicast().onBackpressureBuffer();
    List<Long> out = new ArrayList<>();
    AtomicInteger outputs = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    input.asFlux().transform(pool).doFinally(s -> done.countDown()).subscribe(b -> {
      try (b) {
        synchronized (out) {
          for (long v : ColumnReader.longs(b, "id")) {
            out.add(v);
          }
        }
      }
      outputs.incrementAndGet();
    });

    // Every worker is held at the gate, so arrivals alone decide the size.
    input.tryEmitNext(block(0, 10)); // the first worker (min 1)
    input.tryEmitNext(block(10, 10)); // utilisation (1 busy + 1 queued) / 1 = 2: not above 2
    assertThat(pool.stats().snapshot().workers()).isEqualTo(1);
    input.tryEmitNext(block(20, 10)); // 3 / 1 > 2: grows
    assertThat(pool.stats().snapshot().workers()).isEqualTo(2);
    input.tryEmitNext(block(30, 10)); // (2 + 2) / 2 = 2: stays
    assertThat(pool.stats().snapshot().workers()).isEqualTo(2);
    input.tryEmitNext(block(40, 10)); // 5 / 2 > 2: grows to the maximum
    input.tryEmitNext(block(50, 10)); // 6 / 3 = 2: stays
    assertThat(pool.stats().snapshot().workers()).isEqualTo(3);

    // Opened, the queue empties and the idle workers retire down to the minimum.
    gate.release(6);
    assertThat(twoRetired.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.stats().snapshot().workers()).isEqualTo(1);
    assertThat(made).hasValue(3);

    // The remaining worker serves the next block with its instance: nothing new is made.
    gate.release(1);
    input.tryEmitNext(block(60, 10));
    input.tryEmitComplete();
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();

    assertThat(outputs).hasValue(7);
    assertThat(out).containsExactlyElementsOf(
        LongStream.range(0, 70).map(v -> v * 10).boxed().toList());
    assertThat(made).hasValue(3);
    assertThat(closedSoon(3)).isEqualTo(3);
    assertThat(pool.stats().snapshot().peakWorkers()).isEqualTo(3);
    assertThat(sharedCall).isFalse();
  }

  @Test
  void closesEveryInstanceWhenTheConsumerCancels() throws InterruptedException {
    CountDownLatch allClosed = new CountDownLatch(3);
    WorkerPool pool = WorkerPool.of("embed", () -> new Model(null, allClosed, -1), op, 3, 3,
        cpu);
    List<Long> firstRows = drain(ids(100, 10).transform(pool).take(5));

    assertThat(firstRows).hasSize(50);
    assertThat(allClosed.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(closedSoon(made.get())).isEqualTo(made.get());
  }

  @Test
  void closesEveryInstanceWhenTheFunctionFailsAndNamesTheOperator() throws InterruptedException {
    CountDownLatch allClosed = new CountDownLatch(2);
    WorkerPool pool = WorkerPool.of("embed", () -> new Model(null, allClosed, 300), op, 2, 2,
        cpu);

    assertThatThrownBy(() -> drain(ids(100, 10).transform(pool)))
        .isInstanceOf(UserFunctionException.class)
        .hasMessageContaining("embed")
        .hasRootCauseMessage("model failed on 300");
    assertThat(allClosed.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(closedSoon(2)).isEqualTo(2);
  }

  @Test
  void aFailingFactoryFailsTheStreamNamingTheOperator() {
    WorkerPool pool = WorkerPool.of("load-model", () -> {
      throw new IllegalStateException("weights missing");
    }, op, 1, 2, cpu);

    assertThatThrownBy(() -> drain(ids(10, 10).transform(pool)))
        .isInstanceOf(UserFunctionException.class)
        .hasMessageContaining("load-model")
        .hasRootCauseMessage("weights missing");
  }

  @Test
  void rejectsPoolBoundsOutOfOrder() {
    assertThatThrownBy(() -> WorkerPool.of("p", () -> (in, out) -> in, op, 3, 2, cpu))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min 3, max 2");
    assertThatThrownBy(() -> WorkerPool.of("p", () -> (in, out) -> in, op, 0, 2, cpu))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The closed count once it reaches {@code expected} (or after 10 s): a worker busy when the
   * stream ends closes its instance as its call returns, which may be just after completion.
   */
  private int closedSoon(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (closed.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return closed.get();
  }
}
