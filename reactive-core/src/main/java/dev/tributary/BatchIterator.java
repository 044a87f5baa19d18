package dev.tributary;

import dev.tributary.memory.Block;
import java.util.Iterator;
import java.util.NoSuchElementException;
import reactor.core.Exceptions;

/**
 * A training feed's batches on the consumer's thread ({@link Dataset#iterBatches(
 * IterBatchesOptions)}, one of {@link Dataset#streamingSplit}), with batches prepared ahead
 * while the consumer works. Each {@link Batch} is valid until the next {@code hasNext()}, {@code
 * next()} or {@code close()}. Close the iterator (try-with-resources), also after a {@code
 * break}: closing the last iterator of an execution cancels it if it still runs and waits until
 * its memory is given back; an iterator that reached its end closes itself.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
  private final BatchFeed feed;
  private final int index;
  private Block next;
  private Batch current;
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
    current = new Batch(next, this);
    next = null;
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
    if (!done) {
      done = true;
      feed.close(index);
    }
  }

  private void closeCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}
