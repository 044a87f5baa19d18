package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockParts;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cuts a stream of blocks into a training feed's batches of exactly {@code rows} rows (the last
 * may be shorter), across block boundaries: a batch inside one block is only a {@link FeedCut}
 * of it (no slice, no block); only rows gathered from several blocks are copied into one. Emits
 * the batches each block completes as one list (possibly empty), so that the stream carries one
 * signal per block, not per batch. Pending rows are charged to the feed's account and released
 * on cancel or error.
 */
final class FeedCutter implements Function<Flux<Block>, Flux<List<FeedCut>>> {
  private final int rows;
  private final Account account;

  FeedCutter(int rows, Account account) {
    this.rows = rows;
    this.account = account;
  }

  @Override
  public Flux<List<FeedCut>> apply(Flux<Block> upstream) {
    return Flux.defer(() -> {
      Pending pending = new Pending();
      return upstream
          .map(pending::add)
          .concatWith(Mono.fromSupplier(pending::rest))
          .doFinally(signal -> pending.clear());
    }).doOnDiscard(List.class, FeedCut::releaseAll).doOnDiscard(Block.class, Block::release);
  }

  /**
   * Slices waiting to fill the next batch; one subscription's. Blocks arrive serially, but a
   * cancel clears it from the cancelling thread, possibly while a block is being added: so every
   * method holds the lock, and what arrives after the clear is released, never kept.
   */
  private final class Pending {
    private final BlockParts parts = new BlockParts(account);
    private int count;
    private boolean cleared;

    /** Takes a block; returns the full batches it completes, in order. */
    synchronized List<FeedCut> add(Block received) {
      if (cleared) {
        received.release();
        return List.of();
      }
      FeedCut whole = FeedCut.of(received.transferTo(account));
      Block b = whole.block();
      List<FeedCut> full = new ArrayList<>();
      try {
        int n = b.rowCount();
        int offset = 0;
        if (!parts.isEmpty()) {
          offset = Math.min(rows - count, n);
          parts.add(b.slice(0, offset));
          count += offset;
          if (count == rows) {
            full.add(drain());
          }
        }
        for (; n - offset >= rows; offset += rows) {
          full.add(whole.part(offset, rows));
        }
        if (offset < n) {
          parts.add(b.slice(offset, n - offset));
          count += n - offset;
        }
        return full;
      } catch (RuntimeException e) {
        full.forEach(FeedCut::release);
        throw e;
      } finally {
        whole.release();
      }
    }

    /** The rows still pending as one batch, or nothing. */
    synchronized List<FeedCut> rest() {
      return cleared || parts.isEmpty() ? null : List.of(drain());
    }

    private FeedCut drain() {
      count = 0;
      return FeedCut.of(parts.take());
    }

    synchronized void clear() {
      cleared = true;
      parts.clear();
      count = 0;
    }
  }
}
