package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * Ray Data's local shuffle for training feeds: cuts a stream of blocks into batches of {@code
 * batchRows} rows drawn at random from a buffer of at least {@code bufferRows} rows (fewer only
 * at the end), seeded, so that consecutive batches mix rows of many blocks.
 *
 * <p>Rows arriving join the buffer; when what is left of the shuffled buffer runs below a batch,
 * it is merged with the new rows and permuted afresh (one copy per refill), then batches are
 * zero-copy slices of it. Buffered rows are charged to the operator's account (about {@code
 * bufferRows + batchRows} rows, twice that while a refill copies) and released on cancel or
 * error.
 */
public final class LocalShuffle implements Function<Flux<Block>, Flux<Block>> {
  private final int batchRows;
  private final int bufferRows;
  private final long seed;
  private final Account account;

  private LocalShuffle(int batchRows, int bufferRows, long seed, Account account) {
    this.batchRows = batchRows;
    this.bufferRows = bufferRows;
    this.seed = seed;
    this.account = account;
  }

  /** Batches of {@code batchRows} drawn from at least {@code bufferRows} buffered rows. */
  public static LocalShuffle of(int batchRows, int bufferRows, long seed, Account account) {
    if (batchRows < 1 || bufferRows < 1) {
      throw new IllegalArgumentException("batch and buffer rows must be >= 1, were " + batchRows
          + " and " + bufferRows);
    }
    return new LocalShuffle(batchRows, bufferRows, seed, account);
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    return Flux.defer(() -> {
      Buffer buffer = new Buffer(new Random(seed));
      return upstream
          .flatMapIterable(buffer::add, 1)
          .concatWith(Flux.defer(() -> Flux.fromIterable(buffer.batches(true))))
          .doFinally(signal -> buffer.clear());
    }).doOnDiscard(Block.class, Block::release);
  }

  /** The shuffled rows and the rows waiting to join them; used by one subscription, serially. */
  private final class Buffer {
    private final Random random;
    private final List<Block> pending = new ArrayList<>();
    private int pendingRows;
    private Block shuffled;
    private int position;

    Buffer(Random random) {
      this.random = random;
    }

    /** Takes a block; returns the batches the buffer can now give. */
    List<Block> add(Block received) {
      Block b = received.transferTo(account);
      pending.add(b);
      pendingRows += b.rowCount();
      return batches(false);
    }

    /** The batches available now; at the end ({@code last}), all that is left. */
    List<Block> batches(boolean last) {
      List<Block> out = new ArrayList<>();
      try {
        while (true) {
          int left = shuffled == null ? 0 : shuffled.rowCount() - position;
          int total = left + pendingRows;
          if (total == 0 || (!last && total < bufferRows + batchRows)) {
            return out;
          }
          if (left < batchRows && pendingRows > 0) {
            refill(left);
            continue;
          }
          int n = Math.min(batchRows, left);
          out.add(shuffled.slice(position, n));
          position += n;
        }
      } catch (RuntimeException e) {
        out.forEach(Block::release);
        throw e;
      }
    }

    /** Merges the {@code left} unshuffled-out rows with the pending ones, in a new order. */
    private void refill(int left) {
      List<Block> parts = new ArrayList<>(pending.size() + 1);
      if (left > 0) {
        parts.add(shuffled.slice(position, left));
      }
      parts.addAll(pending);
      Block merged = null;
      try {
        merged = Blocks.concat(parts, account);
        int[] order = new int[merged.rowCount()];
        for (int i = 0; i < order.length; i++) {
          int j = random.nextInt(i + 1); // inside-out Fisher-Yates
          order[i] = order[j];
          order[j] = i;
        }
        Block next = Blocks.take(merged, order, account);
        if (shuffled != null) {
          shuffled.close();
        }
        shuffled = next;
        position = 0;
      } finally {
        if (merged != null) {
          merged.close();
        }
        if (left > 0) {
          parts.get(0).release();
        }
        pending.forEach(Block::release);
        pending.clear();
        pendingRows = 0;
      }
    }

    void clear() {
      pending.forEach(Block::release);
      pending.clear();
      pendingRows = 0;
      if (shuffled != null) {
        shuffled.release();
        shuffled = null;
      }
    }
  }
}
