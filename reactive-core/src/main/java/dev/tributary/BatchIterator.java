package dev.tributary;

import dev.tributary.memory.Block;
import dev.tributary.memory.VectorSlice;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.TransferPair;
import reactor.core.Exceptions;

/**
 * A training feed's batches on the consumer's thread ({@link Dataset#iterBatches(
 * IterBatchesOptions)}, one of {@link Dataset#streamingSplit}), with batches prepared ahead
 * while the consumer works. Each {@link Batch} is valid until the next {@code hasNext()}, {@code
 * next()} or {@code close()}: every batch of an iterator is shown in the same Arrow root,
 * re-pointed at the next batch's rows (zero-copy, no allocation per batch), so copy what you
 * keep. Close the iterator (try-with-resources), also after a {@code
 * break}: closing the last iterator of an execution cancels it if it still runs and waits until
 * its memory is given back; an iterator that reached its end closes itself.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
  private final BatchFeed feed;
  private final int index;
  private FeedCut next;
  private Batch current;
  /** The cut the root shows now; released when the consumer is done with it. */
  private FeedCut shown;
  /** The one root every batch is shown in (null before the first). */
  private VectorSchemaRoot root;
  /** The source block the transfer pairs read from: re-made once per block, not per batch. */
  private Block pointedAt;
  private TransferPair[] pairs;
  private List<FieldVector> sources;
  private List<FieldVector> targets;
  /**
   * Per column: whether it is shown by sharing buffers ({@link VectorSlice#point}) rather than
   * through its transfer pair, which copies validity bits for rows off a byte boundary.
   */
  private boolean[] sharable;
  private boolean done;
  private long batches;
  private long rows;
  private long waitNanos;
  private long userNanos;
  /** When the consumer got its last batch (0 before the first). */
  private long handedAt;

  BatchIterator(BatchFeed feed, int index) {
    this.feed = feed;
    this.index = index;
  }

  /**
   * Whether another batch comes, waiting for it on the calling thread; closes the batch handed
   * out before.
   *
   * @throws RuntimeException the execution's error (the iterator is closed then)
   */
  @Override
  public boolean hasNext() {
    long now = System.nanoTime();
    if (handedAt != 0) {
      userNanos += now - handedAt;
      handedAt = 0;
    }
    closeCurrent();
    if (next != null) {
      return true;
    }
    if (done) {
      return false;
    }
    try {
      next = feed.take(index);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw Exceptions.propagate(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    } finally {
      waitNanos += System.nanoTime() - now;
    }
    if (next == null) {
      close();
      return false;
    }
    return true;
  }

  /** The next batch, valid until the next call. */
  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    show(next);
    next = null;
    current = new Batch(root, shown, this);
    batches++;
    rows += current.rowCount();
    handedAt = System.nanoTime();
    return current;
  }

  /** Where the consumer's time went so far. */
  public IteratorStats stats() {
    long inUser = handedAt != 0 ? System.nanoTime() - handedAt : 0;
    return new IteratorStats(batches, rows, waitNanos, userNanos + inUser);
  }

  /** Points the root at the rows of {@code cut}. */
  private void show(FeedCut cut) {
    Block source = cut.block();
    if (source != pointedAt) {
      pointAt(source);
    }
    for (int i = 0; i < pairs.length; i++) {
      if (sharable[i]) {
        VectorSlice.point(sources.get(i), targets.get(i), cut.offset(), cut.rowCount());
      } else {
        pairs[i].splitAndTransfer(cut.offset(), cut.rowCount());
      }
    }
    root.setRowCount(cut.rowCount());
    shown = cut;
  }

  /**
   * Makes the transfer pairs from {@code source}'s vectors into the root's (a new root only if
   * the schema or the allocator changed): once per source block, shared by all its batches,
   * which use them where {@link VectorSlice} cannot share the rows without a copy.
   */
  private void pointAt(Block source) {
    VectorSchemaRoot from = source.root();
    BufferAllocator allocator = source.owner().allocator();
    if (root == null || !root.getSchema().equals(from.getSchema())
        || !root.getFieldVectors().stream().allMatch(v -> v.getAllocator() == allocator)) {
      if (root != null) {
        root.close();
      }
      root = VectorSchemaRoot.create(from.getSchema(), allocator);
    }
    sources = from.getFieldVectors();
    targets = root.getFieldVectors();
    pairs = new TransferPair[sources.size()];
    sharable = new boolean[sources.size()];
    for (int i = 0; i < pairs.length; i++) {
      pairs[i] = sources.get(i).makeTransferPair(targets.get(i));
      sharable[i] = VectorSlice.sharable(sources.get(i));
    }
    pointedAt = source;
  }

  /** Whether {@code batch} is the one the root shows. */
  boolean isCurrent(Batch batch) {
    return batch == current;
  }

  /** The batch {@code batch} is done early ({@link Batch#close()}). */
  void closed(Batch batch) {
    if (batch == current) {
      closeCurrent();
    }
  }

  /**
   * Closes the current batch and gives up the rest; the last iterator of the execution to close
   * cancels it if it still runs and waits until its memory is given back.
   */
  @Override
  public void close() {
    closeCurrent();
    if (next != null) {
      next.release();
      next = null;
    }
    if (root != null) {
      root.close();
      root = null;
      pointedAt = null;
      pairs = null;
      sources = null;
      targets = null;
    }
    if (!done) {
      done = true;
      feed.close(index);
    }
  }

  /** Lets go of the rows the root shows: its buffers' references, then the cut. */
  private void closeCurrent() {
    current = null;
    if (shown != null) {
      root.getFieldVectors().forEach(FieldVector::clear);
      root.setRowCount(0);
      shown.release();
      shown = null;
    }
  }
}
