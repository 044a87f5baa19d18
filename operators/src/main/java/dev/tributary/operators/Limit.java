package dev.tributary.operators;

import dev.tributary.memory.Block;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * Passes the first {@code n} rows and cancels upstream as soon as it has them, slicing the last
 * block (zero-copy) when it straddles the limit.
 */
public final class Limit implements Function<Flux<Block>, Flux<Block>> {
  private final long rows;

  private Limit(long rows) {
    this.rows = rows;
  }

  /** Limits a stream of blocks to its first {@code rows} rows. */
  public static Limit of(long rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, was " + rows);
    }
    return new Limit(rows);
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    if (rows == 0) {
      return Flux.empty();
    }
    return Flux.defer(() -> {
      long[] remaining = {rows};
      return upstream.handle((Block b, SynchronousSink<Block> sink) -> {
        long left = remaining[0];
        if (b.rowCount() < left) {
          remaining[0] = left - b.rowCount();
          sink.next(b);
          return;
        }
        remaining[0] = 0;
        if (b.rowCount() == left) {
          sink.next(b);
        } else {
          try {
            sink.next(b.slice(0, (int) left));
          } finally {
            b.close();
          }
        }
        sink.complete();
      });
    }).doOnDiscard(Block.class, Block::release);
  }
}
