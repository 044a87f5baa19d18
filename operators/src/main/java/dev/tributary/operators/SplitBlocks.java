package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Cuts every block larger than a size into near-equal pieces by rows, so that each piece fits a
 * budget several times over. Pieces are copies charged to the operator's account (a slice would
 * keep its parent's buffers alive until the last piece closes); smaller blocks pass untouched. A
 * single-row block cannot be cut and passes whole.
 *
 * <p>Demand passes straight through, less the pieces already waiting: nothing is prefetched, so
 * no block waits here unseen by the governor in front (Reactor's {@code concatMap} would take the
 * next block as soon as a block's pieces are out).
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
    Flux<Block> split = Flux.from(subscriber ->
        upstream.subscribe(new Splitter(Operators.toCoreSubscriber(subscriber))));
    return split.doOnDiscard(Block.class, Block::release);
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
        out.add(Blocks.sliceCopy(block, from, to - from, account));
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

  /** Hands pieces on as they are asked for; asks upstream only for what pieces do not cover. */
  private final class Splitter implements CoreSubscriber<Block>, Subscription {
    private final CoreSubscriber<? super Block> actual;
    private final Queue<Block> ready = new ConcurrentLinkedQueue<>();
    private final AtomicInteger readyCount = new AtomicInteger();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    /** Blocks requested upstream and not yet arrived. */
    private final AtomicLong outstanding = new AtomicLong();
    private Subscription upstream;
    private volatile boolean done;
    private volatile boolean cancelled;
    private Throwable error;
    /** Set once the subscriber was sent its terminal signal (only the drain sends it). */
    private boolean terminated;

    Splitter(CoreSubscriber<? super Block> actual) {
      this.actual = actual;
    }

    @Override
    public Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this);
      }
    }

    @Override
    public void onNext(Block block) {
      outstanding.decrementAndGet();
      List<Block> pieces;
      try {
        pieces = cut(block);
      } catch (RuntimeException e) {
        upstream.cancel();
        onError(e);
        return;
      }
      readyCount.addAndGet(pieces.size());
      ready.addAll(pieces);
      if (cancelled) {
        clear();
      } else {
        drain();
      }
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      done = true;
      drain();
    }

    @Override
    public void onComplete() {
      done = true;
      drain();
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
      cancelled = true;
      upstream.cancel();
      drain();
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      try {
        drainLoop();
      } catch (Throwable t) {
        // A throw out of the loop (a subscriber breaking the Reactive Streams rule, or a JVM
        // error Reactor rethrows) would leave wip set for good: no drain would run again and
        // the pipeline would wait forever. End the stream with it instead.
        failed(t);
      }
    }

    private void failed(Throwable t) {
      cancelled = true;
      upstream.cancel();
      clear();
      if (terminated) {
        Operators.onErrorDropped(t, actual.currentContext());
      } else {
        terminated = true;
        actual.onError(t);
      }
    }

    private void drainLoop() {
      int missed = 1;
      do {
        long r = requested.get();
        long emitted = 0;
        Block b;
        while (emitted != r && !cancelled && (b = ready.poll()) != null) {
          readyCount.decrementAndGet();
          actual.onNext(b);
          emitted++;
        }
        if (cancelled) {
          clear();
          return;
        }
        if (emitted != 0 && r != Long.MAX_VALUE) {
          r = requested.addAndGet(-emitted);
        }
        if (done && ready.isEmpty()) {
          terminated = true;
          Throwable e = error;
          if (e != null) {
            actual.onError(e);
          } else {
            actual.onComplete();
          }
          return;
        }
        long want = r == Long.MAX_VALUE ? Long.MAX_VALUE
            : r - readyCount.get() - outstanding.get();
        if (want > 0 && !done && outstanding.get() != Long.MAX_VALUE) {
          outstanding.accumulateAndGet(want, Operators::addCap);
          upstream.request(want);
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void clear() {
      Block b;
      while ((b = ready.poll()) != null) {
        b.release();
      }
    }
  }
}
