package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Merges runs of blocks smaller than a size into blocks of at least that size (Ray Data's
 * {@code target_min_block_size}): per-block costs (a task hop, a governor decision, a user call)
 * then fall on fewer, larger blocks. Blocks of the size or more pass untouched, as does a lone
 * small block; a block whose schema differs from those gathered first flushes them, so only
 * blocks of one schema are merged. What is gathered when the stream completes is flushed as it
 * is. Merged blocks are copies charged to the operator's account; pending blocks are released on
 * cancel or error.
 *
 * <p>For sources whose block count is not fixed by the user: where a plan asked for {@code n}
 * blocks, it gets {@code n}.
 */
public final class CoalesceBlocks implements Function<Flux<Block>, Flux<Block>> {
  private final long minBytes;
  private final Account account;

  private CoalesceBlocks(long minBytes, Account account) {
    this.minBytes = minBytes;
    this.account = account;
  }

  /** Merges blocks below {@code minBytes}, the merged blocks charged to {@code account}. */
  public static CoalesceBlocks below(long minBytes, Account account) {
    if (minBytes <= 0) {
      throw new IllegalArgumentException("minBytes must be positive, was " + minBytes);
    }
    return new CoalesceBlocks(minBytes, Objects.requireNonNull(account, "account"));
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    return Flux.defer(() -> {
      Gathered gathered = new Gathered();
      return upstream
          .concatMap(b -> Flux.fromIterable(gathered.add(b)), 0)
          .concatWith(Mono.fromSupplier(gathered::flush))
          .doFinally(signal -> gathered.clear());
    }).doOnDiscard(Block.class, Block::release);
  }

  @Override
  public String toString() {
    return "CoalesceBlocks[below " + minBytes + " bytes]";
  }

  /** Small blocks waiting to be merged; used by one subscription, serially. */
  private final class Gathered {
    private final BlockParts parts = new BlockParts(account);
    private long bytes;
    private Schema schema;

    /** Takes a block; returns the blocks ready to go on, in order. */
    List<Block> add(Block received) {
      Block b;
      try {
        b = received.transferTo(account);
      } catch (RuntimeException e) {
        received.release();
        throw e;
      }
      List<Block> ready = new ArrayList<>(2);
      try {
        if (!parts.isEmpty() && !b.schema().equals(schema)) {
          ready.add(flush());
        }
        if (b.sizeBytes() >= minBytes) {
          if (!parts.isEmpty()) {
            ready.add(flush());
          }
          ready.add(b);
          return ready;
        }
        parts.add(b);
        bytes += b.sizeBytes();
        schema = b.schema();
        if (bytes >= minBytes) {
          ready.add(flush());
        }
        return ready;
      } catch (RuntimeException e) {
        ready.forEach(Block::release);
        if (!parts.holds(b)) {
          b.release();
        }
        throw e;
      }
    }

    /** What is gathered as one block, or null when nothing is. */
    Block flush() {
      bytes = 0;
      return parts.take();
    }

    void clear() {
      parts.clear();
      bytes = 0;
    }
  }
}
