package dev.tributary;

import dev.tributary.memory.Block;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One batch of a training feed as rows {@code [offset, offset + rowCount)} of a source block
 * that it shares with the other batches cut from it; the block is released with the last of
 * them. A batch has no Arrow object of its own: the consumer's iterator re-points its one root
 * at these rows ({@link BatchIterator}), so cutting a batch costs no vectors, schema or block.
 */
final class FeedCut {
  private final Block block;
  private final AtomicInteger holders;
  private final int offset;
  private final int rowCount;
  private boolean released;

  private FeedCut(Block block, AtomicInteger holders, int offset, int rowCount) {
    this.block = block;
    this.holders = holders;
    this.offset = offset;
    this.rowCount = rowCount;
  }

  /** All rows of {@code block}, which the cut now owns. */
  static FeedCut of(Block block) {
    return new FeedCut(block, new AtomicInteger(1), 0, block.rowCount());
  }

  /** Rows {@code [from, from + rows)} of this cut, sharing its block (released separately). */
  FeedCut part(int from, int rows) {
    if (from < 0 || rows < 0 || from > rowCount - rows) {
      throw new IndexOutOfBoundsException(
          "part [" + from + ", " + from + "+" + rows + ") of a batch of " + rowCount + " rows");
    }
    holders.incrementAndGet();
    return new FeedCut(block, holders, offset + from, rows);
  }

  Block block() {
    return block;
  }

  int offset() {
    return offset;
  }

  int rowCount() {
    return rowCount;
  }

  /** Releases every cut of a list (of cuts) that a stream discarded. */
  static void releaseAll(List<?> cuts) {
    for (Object cut : cuts) {
      ((FeedCut) cut).release();
    }
  }

  /** Gives up this cut; the last cut of a block releases it. Idempotent. */
  void release() {
    if (!released) {
      released = true;
      if (holders.decrementAndGet() == 0) {
        block.release();
      }
    }
  }
}
