package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The read-ahead of a parallel source, kept inside the source's budget: a reader decodes its
 * next block only while the source's account has room for it (what it holds, plus the blocks
 * being decoded, plus this one, within its budget), so under pressure fewer readers run ahead.
 *
 * <p>The first reader in output order may always decode: with ordered output, blocks of later
 * readers wait until the first is done, and if they could fill the budget while the first could
 * not start, nothing would ever move. Waiting readers are looked at again on the account's room
 * signal (a block taken downstream, the budget raised) and when a reader finishes.
 *
 * <p>One per source subscription; {@link #close()} when it ends.
 */
final class ReadAhead {
  private final Account account;
  /** The readers running now, by their position in output order. */
  private final ConcurrentSkipListMap<Long, Reader> readers = new ConcurrentSkipListMap<>();
  private final AtomicInteger wip = new AtomicInteger();
  /** Blocks asked of readers and not yet made. */
  private final AtomicLong decoding = new AtomicLong();
  private final AtomicLong made = new AtomicLong();
  private volatile double meanBlockBytes;

  ReadAhead(Account account) {
    this.account = account;
    account.onRoom(this::drain);
  }

  /** {@code blocks}, the read in position {@code order}, decoded only as room allows. */
  Flux<Block> gate(Flux<Block> blocks, long order) {
    return Flux.from(s -> blocks.subscribe(new Reader(order, Operators.toCoreSubscriber(s))));
  }

  /** Stops listening to the account. */
  void close() {
    account.onRoom(null);
  }

  /** Lets waiting readers decode, first in order first, while they may. */
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      boolean first = true;
      for (Reader r : readers.values()) {
        if (r.wantsBlock() && (first || room())) {
          r.decodeOne();
        } else if (r.wantsBlock()) {
          break;
        }
        first = false;
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /** Whether one more block fits the source's budget; unknown sizes never fit. */
  private boolean room() {
    double mean = meanBlockBytes;
    return mean > 0
        && account.heldBytes() + (decoding.get() + 1) * mean <= account.budgetBytes();
  }

  /** One reader's place between its decoder and the merge: forwards demand one block at a time. */
  private final class Reader implements CoreSubscriber<Block>, Subscription {
    private final long order;
    private final CoreSubscriber<? super Block> actual;
    private final AtomicLong requested = new AtomicLong();
    private volatile Subscription upstream;
    /** Whether a block was asked of the decoder and has not come yet. */
    private volatile boolean asked;

    Reader(long order, CoreSubscriber<? super Block> actual) {
      this.order = order;
      this.actual = actual;
    }

    @Override
    public Context currentContext() {
      return actual.currentContext();
    }

    boolean wantsBlock() {
      return !asked && requested.get() > 0 && upstream != null;
    }

    void decodeOne() {
      asked = true;
      requested.decrementAndGet();
      decoding.incrementAndGet();
      upstream.request(1);
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        readers.put(order, this);
        actual.onSubscribe(this);
      }
    }

    @Override
    public void onNext(Block block) {
      long n = made.incrementAndGet();
      meanBlockBytes += (block.sizeBytes() - meanBlockBytes) / Math.min(n, 16);
      decoding.decrementAndGet();
      asked = false;
      actual.onNext(block);
      drain();
    }

    @Override
    public void onError(Throwable t) {
      finish();
      actual.onError(t);
    }

    @Override
    public void onComplete() {
      finish();
      actual.onComplete();
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        requested.accumulateAndGet(n, Operators::addCap);
        drain();
      }
    }

    @Override
    public void cancel() {
      upstream.cancel();
      finish();
    }

    private void finish() {
      if (readers.remove(order, this)) {
        if (asked) {
          asked = false;
          decoding.decrementAndGet();
        }
        drain();
      }
    }
  }
}
