package dev.tributary.operators;

import dev.tributary.memory.Block;
import dev.tributary.memory.BlockCustody;
import java.util.Objects;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Hands the blocks of a stream one at a time to a consumer on another scheduler: the one way the
 * pipeline breakers (sort, exchange, aggregation, group map) take their input. A block in transit
 * between the two threads belongs to the hand-off until the consumer has it; what a cancel or an
 * error strands there (Reactor's {@code publishOn} drops queued values without a discard signal
 * when it races a cancel) is released when the stream ends.
 */
public final class HandOff {
  private HandOff() {}

  /**
   * Completes once {@code consumer} has been given every block of {@code input}, each on {@code
   * scheduler}, one at a time; the consumer owns each block it is given (it must release it, also
   * when it throws).
   */
  public static Mono<Void> consume(Flux<Block> input, Scheduler scheduler,
      Consumer<Block> consumer) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(consumer, "consumer");
    return Mono.defer(() -> {
      BlockCustody custody = new BlockCustody();
      return input
          .doOnNext(custody::hold)
          .publishOn(scheduler, 1)
          // Map to a token: then() discards what reaches it, and these blocks are taken.
          .map(b -> {
            if (custody.take(b)) {
              consumer.accept(b);
            }
            return Boolean.TRUE;
          })
          .then()
          .doFinally(signal -> custody.releaseAll());
    });
  }
}
