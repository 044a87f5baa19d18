package dev.tributary.memory;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The one hand-off of blocks between threads. A block in transit (offered on the sending thread,
 * not yet taken on the receiving one) belongs to the hand-off; {@link #close()} releases what is
 * in transit and every block offered later. Reactor's {@code publishOn}, {@code flatMap} and
 * {@code flatMapSequential} may drop a value that races a cancel without a discard signal: with
 * a hand-off nothing is lost, because the block's owner is never the operator's queue.
 *
 * <p>Three shapes cover every crossing, each making and closing one hand-off per subscription:
 * {@link #consume} (a pipeline breaker or a sink takes each block on its own thread), {@link
 * #publishOn} (the same blocks go on downstream on another thread) and {@link #fanOut} (tasks on
 * other threads, each offering the blocks it makes before it emits them). A stage that keeps
 * blocks between steps of its own (an operator's outputs made on an I/O thread and handed on
 * later) uses an instance directly: {@link #offer} on the sending thread, {@link #take} on the
 * receiving one, {@link #close()} when its run ends.
 */
public final class HandOff {
  private final Set<Block> inTransit = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** An open hand-off with nothing in transit. */
  public HandOff() {}

  /**
   * Puts {@code block} in transit (on the sending thread): from now on whoever {@link #take}s it
   * owns it. If the hand-off is closed, releases the block at once and returns false: then it
   * must not be passed on.
   */
  public boolean offer(Block block) {
    inTransit.add(block);
    // Read after the add (and close() writes before it looks): a racing close sees the block,
    // or this sees the close.
    if (closed) {
      if (inTransit.remove(block)) {
        block.release();
      }
      return false;
    }
    return true;
  }

  /**
   * Takes {@code block} out of transit (on the receiving thread): true if the caller now owns
   * it, false if the hand-off released it (or it was never offered).
   */
  public boolean take(Block block) {
    return inTransit.remove(block);
  }

  /** Releases every block in transit, and from now on every block offered. */
  public void close() {
    closed = true;
    for (Block block : inTransit) {
      if (inTransit.remove(block)) {
        block.release();
      }
    }
  }

  /**
   * Completes once {@code consumer} has been given every block of {@code input}, each on {@code
   * scheduler}, one at a time; the consumer owns each block it is given (it must release it, also
   * when it throws, and may keep it). A block the stream's end strands between the threads is
   * released.
   */
  public static Mono<Void> consume(Flux<Block> input, Scheduler scheduler,
      Consumer<Block> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return publishOn(input, scheduler)
        // Map to a token: then() discards what reaches it, and the consumer owns these blocks.
        .map(b -> {
          consumer.accept(b);
          return Boolean.TRUE;
        })
        .then();
  }

  /**
   * The blocks of {@code input}, handed on on {@code scheduler} (one in transit at a time); a
   * block the stream's end strands between the threads is released.
   */
  public static Flux<Block> publishOn(Flux<Block> input, Scheduler scheduler) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(scheduler, "scheduler");
    return Flux.defer(() -> {
      HandOff transit = new HandOff();
      return input
          .doOnNext(transit::offer)
          .publishOn(scheduler, 1)
          .filter(transit::take)
          .doFinally(signal -> transit.close());
    });
  }

  /**
   * Runs {@code lane} for each item of {@code upstream}, up to {@code concurrency} at once, and
   * merges the blocks the lanes emit, in upstream order if {@code ordered} ({@code
   * flatMapSequential}), else as they come ({@code flatMap}). A lane gets the subscription's
   * hand-off: it offers every block it will emit (its input too, if it takes one to another
   * thread) on the thread that made or received it, and emits only blocks whose offer succeeded;
   * the merge takes each block as it passes. What a cancel or an error strands in a lane or in
   * the merge's queues is released when the stream ends.
   */
  public static <T> Flux<Block> fanOut(Flux<T> upstream,
      BiFunction<? super T, HandOff, ? extends Publisher<Block>> lane, int concurrency,
      boolean ordered) {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(lane, "lane");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
    return Flux.defer(() -> {
      HandOff transit = new HandOff();
      Function<T, Publisher<Block>> start = item -> lane.apply(item, transit);
      Flux<Block> merged = ordered
          ? upstream.flatMapSequential(start, concurrency, 1)
          : upstream.flatMap(start, concurrency, 1);
      return merged.filter(transit::take).doFinally(signal -> transit.close());
    });
  }
}
