package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Re-cuts a stream of blocks into blocks of exactly {@code rows} rows (the last may be shorter),
 * across block boundaries.
 *
 * <p>A block that already has the right size passes untouched; splitting is zero-copy (slices);
 * only rows gathered from several blocks are copied into one. Pending rows are charged to the
 * operator's account and released on cancel or error.
 */
public final class Rebatch implements Function<Flux<Block>, Flux<Block>> {
  private final int rows;
  private final Account account;

  private Rebatch(int rows, Account account) {
    this.rows = rows;
    this.account = account;
  }

  /** Re-batches into {@code rows}-row blocks, holding pending rows in {@code account}. */
  public static Rebatch of(int rows, Account account) {
    if (rows < 1) {
      throw new IllegalArgumentException("rows must be >= 1, was " + rows);
    }
    return new Rebatch(rows, account);
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    return Flux.defer(() -> {
      Pending pending = new Pending();
      return upstream
          .flatMapIterable(pending::add, 1)
          .concatWith(Mono.fromSupplier(pending::rest))
          .doFinally(signal -> pending.clear());
    }).doOnDiscard(Block.class, Block::release);
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
    synchronized List<Block> add(Block received) {
      if (cleared) {
        received.release();
        return List.of();
      }
      Block b = received.transferTo(account);
      int n = b.rowCount();
      if (parts.isEmpty() && n == rows) {
        return List.of(b);
      }
      List<Block> full = new ArrayList<>();
      try {
        int offset = 0;
        if (parts.isEmpty()) {
          for (; n - offset >= rows; offset += rows) {
            full.add(b.slice(offset, rows));
          }
        }
        while (offset < n) {
          int take = Math.min(rows - count, n - offset);
          parts.add(b.slice(offset, take));
          count += take;
          offset += take;
          if (count == rows) {
            full.add(drain());
          }
        }
        return full;
      } catch (RuntimeException e) {
        full.forEach(Block::release);
        throw e;
      } finally {
        b.close();
      }
    }

    /** The rows still pending as one block, or nothing. */
    synchronized Block rest() {
      return cleared || parts.isEmpty() ? null : drain();
    }

    private Block drain() {
      count = 0;
      return parts.take();
    }

    synchronized void clear() {
      cleared = true;
      parts.clear();
      count = 0;
    }
  }
}
