package dev.tributary;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One execution's batches dealt to {@code n} consumers ({@link Dataset#streamingSplit}): every
 * batch goes to exactly one consumer's queue of at most {@code prefetchBatches} batches. Batches
 * arrive a source block's worth at a time (all the cuts of one block, {@link FeedCutter}) and
 * wait undealt until a queue they may go to has room: one request and one signal through the
 * stream per block, not per batch (per batch they were a sixth of the consumer's time). The next
 * block is requested while the undealt batches run low, so what the feed holds is bounded (the
 * rest of one block, the next block and the queues) and stays charged to the execution.
 *
 * <p>Unequal: a batch goes to the consumer with the fewest queued (first come, first served), so
 * a slow consumer holds back nobody: it only leaves its own queue full. Equal: batches are dealt
 * in rounds, one per consumer, and a round is handed out only when complete, so after every
 * round all consumers have the same rows; a consumer is at most {@code prefetchBatches} batches
 * ahead of the slowest (which holds the others back by that much). At the end the rows of the
 * incomplete last round are divided equally (each gets {@code rows / n} of them, as parts of the
 * same blocks; up to {@code n - 1} rows are dropped, as Ray does), or dropped altogether with
 * {@code dropLast}.
 *
 * <p>The execution lasts until every consumer is done ({@link #held}): the batches stay in its
 * accounts, charged to its memory limit, and no batch needs a watch of its own for outliving the
 * execution (a per-batch cost that was a third of the feed's overhead over the block stream).
 */
final class BatchFeed extends BaseSubscriber<List<FeedCut>> {
  private final int n;
  private final boolean equal;
  private final int capacity;
  private final boolean dropLast;
  private final List<ArrayDeque<FeedCut>> queues = new ArrayList<>();
  private final boolean[] closed;
  /** Batches received and not yet dealt, in order. */
  private final ArrayDeque<FeedCut> undealt = new ArrayDeque<>();
  /** Equal: the batches of the round being dealt, one per consumer in order. */
  private final List<FeedCut> round = new ArrayList<>();
  private final List<BatchIterator> iterators = new ArrayList<>();
  /** Completes when every consumer is done: the execution's stream ends then. */
  private final Sinks.Empty<List<FeedCut>> done = Sinks.empty();
  private int open;
  /**
   * Undealt batches below which the next block is requested: the larger of a queue per open
   * consumer and the last block's batches, so that the next block is on its way while the
   * consumers work through the current one (its hand-over is a thread hop, as slow as the
   * machine is busy).
   */
  private int lookahead;
  private boolean requested;
  private boolean ended;
  private Throwable error;
  private volatile Execution execution;

  BatchFeed(int n, boolean equal, IterBatchesOptions options) {
    this.n = n;
    this.equal = equal;
    this.capacity = options.prefetchBatches();
    this.dropLast = options.dropLast();
    this.closed = new boolean[n];
    this.open = n;
    for (int i = 0; i < n; i++) {
      queues.add(new ArrayDeque<>());
      iterators.add(new BatchIterator(this, i));
    }
  }

  /**
   * The execution's batches, ending (and with them the execution) only once every consumer is
   * done: the feed learns the end of the data, or its failure, from {@code batches} itself, so
   * that queued and current batches never outlive the execution's memory.
   */
  Flux<List<FeedCut>> held(Flux<List<FeedCut>> batches) {
    return batches
        .doOnComplete(() -> end(null))
        .onErrorResume(failure -> {
          end(failure);
          return Mono.empty();
        })
        .concatWith(done.asMono());
  }

  /** Starts the execution {@code start} makes, given a callback that receives it. */
  List<BatchIterator> start(Function<Consumer<Execution>, Flux<List<FeedCut>>> start) {
    start.apply(e -> {
      e.awaited();
      execution = e;
    }).subscribe(this);
    return List.copyOf(iterators);
  }

  @Override
  protected void hookOnSubscribe(Subscription subscription) {
    requestIfLow();
  }

  @Override
  protected void hookOnNext(List<FeedCut> batches) {
    synchronized (this) {
      requested = false;
      if (open == 0) {
        batches.forEach(FeedCut::release);
      } else {
        undealt.addAll(batches);
        lookahead = Math.max(lookahead, batches.size());
        deal();
      }
    }
    requestIfLow();
  }

  @Override
  protected void hookOnComplete() {
    end(null);
  }

  @Override
  protected void hookOnError(Throwable failure) {
    end(failure); // the runtime closed while the execution ran
  }

  /**
   * No more batches come: the incomplete round is divided once the rest is dealt; after a
   * failure nothing held is handed out any more and every consumer gets the failure.
   */
  private synchronized void end(Throwable failure) {
    if (failure != null) {
      error = failure;
      releaseHeld();
    }
    ended = true;
    deal();
  }

  /**
   * Deals undealt batches into queues with room; at the end, divides the last round. Wakes the
   * consumers if any got a batch.
   */
  private void deal() {
    if (open == 0) {
      releaseHeld();
      return;
    }
    boolean dealt = false;
    while (!undealt.isEmpty()) {
      if (equal) {
        int next = round.size();
        if (!closed[next] && queues.get(next).size() >= capacity) {
          break;
        }
        round.add(undealt.poll());
        if (round.size() == n) {
          for (int i = 0; i < n; i++) {
            deliver(i, round.get(i));
          }
          round.clear();
          dealt = true;
        }
      } else {
        int next = emptiest();
        if (queues.get(next).size() >= capacity) {
          break;
        }
        deliver(next, undealt.poll());
        dealt = true;
      }
    }
    if (ended && undealt.isEmpty() && !round.isEmpty()) {
      divideLastRound();
      dealt = true;
    }
    if (dealt || ended) {
      notifyAll();
    }
  }

  /** Equal, at the end: each consumer gets {@code rows / n} rows of the incomplete round. */
  private void divideLastRound() {
    int rows = round.stream().mapToInt(FeedCut::rowCount).sum();
    int share = dropLast ? 0 : rows / n;
    int block = 0;
    int offset = 0;
    for (int i = 0; i < n && share > 0; i++) {
      int needed = share;
      while (needed > 0) {
        FeedCut b = round.get(block);
        int take = Math.min(needed, b.rowCount() - offset);
        deliver(i, b.part(offset, take));
        needed -= take;
        offset += take;
        if (offset == b.rowCount()) {
          block++;
          offset = 0;
        }
      }
    }
    round.forEach(FeedCut::release);
    round.clear();
  }

  private void deliver(int consumer, FeedCut batch) {
    if (closed[consumer]) {
      batch.release();
    } else {
      queues.get(consumer).add(batch);
    }
  }

  /** The open consumer with the fewest queued batches. */
  private int emptiest() {
    int best = -1;
    for (int i = 0; i < n; i++) {
      if (!closed[i] && (best < 0 || queues.get(i).size() < queues.get(best).size())) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Requests the next block's batches if fewer than {@link #lookahead} are left undealt: the
   * block comes while those are consumed, and at most one more block waits.
   */
  private void requestIfLow() {
    synchronized (this) {
      if (!wantsMore()) {
        return;
      }
      requested = true;
    }
    request(1);
  }

  private boolean wantsMore() {
    return !requested && !ended && open > 0
        && undealt.size() < Math.max(capacity * open, lookahead);
  }

  /** Every batch has been handed out (or, after a failure, released). */
  private boolean drained() {
    return ended && undealt.isEmpty() && round.isEmpty();
  }

  /**
   * The next batch of consumer {@code i}, waiting on the calling thread; null at the end. A
   * consumer that finds nothing coming requests the next block itself.
   *
   * @throws RuntimeException the execution's error
   */
  FeedCut take(int i) throws InterruptedException {
    while (true) {
      FeedCut batch;
      synchronized (this) {
        while ((batch = queues.get(i).poll()) == null && !drained() && !wantsMore()) {
          wait();
        }
        if (batch == null && drained()) {
          if (error != null) {
            throw reactor.core.Exceptions.propagate(error);
          }
          return null;
        }
        if (batch != null) {
          deal(); // its queue has room again
        }
      }
      requestIfLow();
      if (batch != null) {
        return batch;
      }
    }
  }

  /**
   * Consumer {@code i} is done: its queued batches are released; the last consumer to close
   * ends the execution (cancels it if the data has not ended) and waits until it has given back
   * its memory.
   */
  void close(int i) {
    boolean last;
    synchronized (this) {
      if (closed[i]) {
        return;
      }
      closed[i] = true;
      queues.get(i).forEach(FeedCut::release);
      queues.get(i).clear();
      last = --open == 0;
      if (last) {
        releaseHeld();
      }
    }
    if (last) {
      done.tryEmitEmpty(); // ends the stream if the data has ended, else the cancel does
      dispose();
      synchronized (this) {
        releaseHeld(); // a batch that arrived racing the cancel
      }
      Execution e = execution;
      if (e != null) {
        e.whenEnded().block();
      }
    } else {
      synchronized (this) {
        deal(); // its turn in a round no longer waits for room
      }
      requestIfLow();
    }
  }

  private void releaseHeld() {
    undealt.forEach(FeedCut::release);
    undealt.clear();
    round.forEach(FeedCut::release);
    round.clear();
    queues.forEach(q -> {
      q.forEach(FeedCut::release);
      q.clear();
    });
  }
}
