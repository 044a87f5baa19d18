package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * Cuts every block larger than a size into near-equal pieces by rows, so that each piece fits a
 * budget several times over. Pieces are copies charged to the operator's account (a slice would
 * keep its parent's buffers alive until the last piece closes); smaller blocks pass untouched. A
 * single-row block cannot be cut and passes whole.
 */
public final class SplitBlocks implements Function<Flux<Block>, Flux<Block>> {
  private final long maxBytes;
  private final Account account;

  private SplitBlocks(long maxBytes, Account account) {
    this.maxBytes = maxBytes;
    this.account = account;
  }

  /** Cuts blocks above {@code maxBytes}, the pieces charged to {@code account}. */
  public static SplitBlocks above(long maxBytes, Account account) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
    }
    return new SplitBlocks(maxBytes, Objects.requireNonNull(account, "account"));
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    // No prefetch: a block is taken only when its pieces are wanted, so nothing waits here
    // unseen by the governor's count of blocks in flight.
    return upstream.concatMap(b -> Flux.fromIterable(cut(b)), 0)
        .doOnDiscard(Block.class, Block::release);
  }

  /** The pieces of a block (the block itself when it fits). */
  List<Block> cut(Block received) {
    Block block;
    try {
      block = received.transferTo(account);
    } catch (RuntimeException e) {
      received.release();
      throw e;
    }
    int rows = block.rowCount();
    if (block.sizeBytes() <= maxBytes || rows < 2) {
      return List.of(block);
    }
    int pieces = (int) Math.min(rows, (block.sizeBytes() + maxBytes - 1) / maxBytes);
    List<Block> out = new ArrayList<>(pieces);
    try (block) {
      for (int p = 0; p < pieces; p++) {
        int from = (int) ((long) rows * p / pieces);
        int to = (int) ((long) rows * (p + 1) / pieces);
        try (Block view = block.slice(from, to - from)) {
          out.add(Blocks.copy(account, view.root()));
        }
      }
      return out;
    } catch (RuntimeException e) {
      out.forEach(Block::release);
      throw e;
    }
  }

  @Override
  public String toString() {
    return "SplitBlocks[above " + maxBytes + " bytes]";
  }
}
