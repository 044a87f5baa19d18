package dev.tributary.connectors;

import dev.tributary.memory.Block;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/** Turns a pull-style reader ("next block, or null at the end") into a demand-driven Flux. */
final class Generated {
  private Generated() {}

  /** Calls {@code next} once per requested block; null completes, an exception fails. */
  static Flux<Block> blocks(Supplier<Block> next) {
    return Flux.generate((SynchronousSink<Block> sink) -> {
      try {
        Block block = next.get();
        if (block == null) {
          sink.complete();
        } else {
          sink.next(block);
        }
      } catch (RuntimeException e) {
        sink.error(e);
      }
    });
  }
}
