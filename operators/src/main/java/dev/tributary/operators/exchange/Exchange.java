package dev.tributary.operators.exchange;

import dev.tributary.memory.Block;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Moves every row of a stream into one of several partitions, then lets each partition be read
 * back: the one pipeline break all-to-all operators share. An engine provides it: in process
 * ({@link LocalExchange}), or over a cluster's shuffle.
 */
public interface Exchange {
  /**
   * Consumes {@code input} (taking ownership of each block) and partitions its rows.
   *
   * <p>The result is emitted once the input completed. An error or a cancel before that frees
   * everything the exchange held, in memory and on disk; after it, the caller owns the
   * partitions and must close them.
   */
  Mono<Partitions> partition(Flux<Block> input, Partitioning partitioning);
}
