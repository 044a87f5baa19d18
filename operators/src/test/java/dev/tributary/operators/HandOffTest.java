package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The pipeline breakers' hand-off: every block reaches the consumer once, or is released. */
class HandOffTest {
  private final Arena arena = Arena.create("hand-off", 64 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Scheduler io = Schedulers.newBoundedElastic(2, 1000, "hand-off-io");

  @AfterEach
  void nothingLeft() {
    io.disposeGracefully().block(java.time.Duration.ofSeconds(30));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private Flux<Block> blocks(int count) {
    return Flux.range(0, count).map(i -> BlockBuilder.in(source)
        .column("id", new long[] {i, i + 1L}).build());
  }

  @Test
  void theConsumerGetsEveryBlockInOrderOnTheScheduler() {
    AtomicLong sum = new AtomicLong();
    AtomicLong next = new AtomicLong();
    StepVerifier.create(HandOff.consume(blocks(100), io, b -> {
      try (b) {
        assertThat(Thread.currentThread().getName()).startsWith("hand-off-io");
        long[] id = ColumnReader.longs(b, "id");
        assertThat(id[0]).isEqualTo(next.getAndIncrement());
        sum.addAndGet(id[0] + id[1]);
      }
    })).expectComplete().verify(Duration.ofSeconds(30));
    assertThat(sum).hasValue(100L * 100);
  }

  @Test
  void aCancelReleasesWhatIsInTransit() {
    AtomicLong taken = new AtomicLong();
    StepVerifier.create(HandOff.consume(blocks(100_000), io, b -> {
      b.close();
      taken.incrementAndGet();
      // A slow consumer (io threads may block): the cancel comes while blocks are in transit.
      java.util.concurrent.locks.LockSupport.parkNanos(200_000);
    }))
        .thenAwait(Duration.ofMillis(50))
        .thenCancel()
        .verify(Duration.ofSeconds(30));
    assertThat(taken.get()).isBetween(1L, 99_999L);
    // A block the cancel caught between the two threads is released, never lost.
    StepVerifier.create(Flux.interval(Duration.ofMillis(5))
            .takeUntil(t -> arena.allocatedBytes() == 0).take(Duration.ofSeconds(5)).then())
        .expectComplete().verify(Duration.ofSeconds(10));
  }

  @Test
  void aConsumerThatFailsEndsTheStreamWithItsError() {
    StepVerifier.create(HandOff.consume(blocks(10), io, b -> {
      b.close();
      throw new IllegalStateException("boom");
    })).expectErrorMessage("boom").verify(Duration.ofSeconds(30));
  }
}
