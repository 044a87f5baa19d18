package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.Batches;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.test.publisher.TestPublisher;

/** The consumer's end of an execution's stream ({@link Execution#toConsumer}). */
class ConsumerEndTest {
  private final Arena arena = Arena.create("consumer-end", 16 * Bytes.MiB);
  private final Account output = arena.openAccount("Output");

  @AfterEach
  void closeArena() {
    arena.close();
  }

  /**
   * The race behind a spilling sort's {@code iterator()} closed after one block keeping 33 KiB
   * until the runtime closed: a block arriving after the consumer cancelled never reached it and
   * was dropped unreleased. Here the block is emitted after the cancel by construction.
   */
  @Test
  void aBlockArrivingAfterTheConsumerCancelledIsReleased() {
    TestPublisher<Block> blocks =
        TestPublisher.createNoncompliant(TestPublisher.Violation.DEFER_CANCELLATION);
    List<Block> received = new ArrayList<>();
    AtomicInteger ended = new AtomicInteger();
    BaseSubscriber<Block> consumer = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        request(2);
      }

      @Override
      protected void hookOnNext(Block block) {
        received.add(block);
      }
    };
    Execution.toConsumer(blocks.flux(), Mono.never(), Mono.<Block>empty(),
        ended::incrementAndGet).subscribe(consumer);

    Block first = Batches.write(Map.of("id", new long[] {1, 2, 3}), output);
    blocks.next(first);
    consumer.dispose();
    blocks.next(Batches.write(Map.of("id", new long[] {4, 5, 6}), output));

    assertThat(received).containsExactly(first);
    assertThat(ended).hasValue(1);
    first.close();
    assertThat(output.heldBytes()).isZero();
  }
}
