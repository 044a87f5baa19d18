package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * The memory governor on an operator's input: requests blocks from upstream only while the
 * operator's account has room, and hands them downstream on the operator's own worker.
 *
 * <p>Demand is computed in bytes: {@code credit = room / (estimated block bytes x footprint)},
 * where room is the account's budget minus what it holds (inputs queued here, blocks being
 * processed, outputs not yet taken downstream), capped by the arena's headroom; the block
 * estimate is a running mean of what arrived, and the footprint ({@code 1 + output/input}, taken
 * as 2 until the first output is measured) counts the output each input will become. When the
 * account holds nothing, one block may always flow, so a block larger than the whole budget still
 * progresses: it is counted in stats and logged once. So may one block when the operator asks
 * for input with nothing queued, coming or in process (it is gathering rows into a batch). The number of
 * blocks in flight also starts at one and doubles per block handed on (see {@link #MAX_WINDOW}).
 *
 * <p>Each arriving block is moved into the account at once, so queued input is charged to the
 * operator that holds it. Emission runs on a worker of the given scheduler, so the operator runs
 * concurrently with its upstream (pipeline parallelism, like {@code publishOn} with a byte-sized
 * prefetch). With {@link #countBased(int)} it becomes a plain count prefetch with no memory
 * check: the ungoverned baseline for benchmarks.
 */
public final class Governor implements Function<Flux<Block>, Flux<Block>> {
  private static final Logger LOG = LoggerFactory.getLogger(Governor.class);
  /**
   * How long a throttled governor waits before looking again: memory freed by other pipelines,
   * or budgets the resource manager raised, give no signal of their own.
   */
  static final long RECHECK_MICROS = 1000;
  /**
   * The most blocks in flight (queued here or requested) however much room there is: past a
   * few blocks per boundary, prefetch adds memory and cache misses, not throughput. The window
   * starts at one block and doubles with each block handed downstream (a slow start), so a
   * consumer that stops early (take, limit) makes upstream compute only a few blocks.
   */
  static final long MAX_WINDOW = 16;

  private final String name;
  private final Account account;
  private final Scheduler scheduler;
  private final OperatorStats stats;
  private final int fixedPrefetch;
  private final boolean passThrough;
  private final long splitAbove;

  private Governor(String name, Account account, Scheduler scheduler, OperatorStats stats,
      int fixedPrefetch, boolean passThrough, long splitAbove) {
    this.name = name;
    this.account = account;
    this.scheduler = scheduler;
    this.stats = stats;
    this.fixedPrefetch = fixedPrefetch;
    this.passThrough = passThrough;
    this.splitAbove = splitAbove;
  }

  /** A byte-based governor feeding the operator that owns {@code account} and {@code stats}. */
  public static Governor of(String name, Account account, Scheduler scheduler,
      OperatorStats stats) {
    return new Governor(Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(account, "account"), Objects.requireNonNull(scheduler, "scheduler"),
        Objects.requireNonNull(stats, "stats"), 0, false, Long.MAX_VALUE);
  }

  /** The same governor as a count-based prefetch of {@code blocks} blocks, ignoring memory. */
  public Governor countBased(int blocks) {
    if (blocks < 1) {
      throw new IllegalArgumentException("blocks must be >= 1, was " + blocks);
    }
    return new Governor(name, account, scheduler, stats, blocks, passThrough, splitAbove);
  }

  /**
   * The same governor for a boundary with no operator behind it (the consumer's end): a block
   * it admits is all it will hold, with no output to make room for.
   */
  public Governor passThrough() {
    return new Governor(name, account, scheduler, stats, fixedPrefetch, true, splitAbove);
  }

  /**
   * The same governor, cutting each arriving block larger than {@code maxBytes} into near-equal
   * pieces by rows (copies charged to this account, so each piece is freed on its own).
   */
  public Governor splitAbove(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
    }
    return new Governor(name, account, scheduler, stats, fixedPrefetch, passThrough, maxBytes);
  }

  /** The pieces of a block above the split size (the block itself when it fits). */
  private List<Block> cut(Block block) {
    int rows = block.rowCount();
    if (block.sizeBytes() <= splitAbove || rows < 2) {
      return List.of(block);
    }
    int pieces = (int) Math.min(rows, (block.sizeBytes() + splitAbove - 1) / splitAbove);
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
  public Flux<Block> apply(Flux<Block> upstream) {
    Flux<Block> governed = Flux.from(subscriber -> {
      upstream.subscribe(new GovernorSubscriber(Operators.toCoreSubscriber(subscriber)));
    });
    return governed.doOnDiscard(Block.class, Block::release);
  }

  private final class GovernorSubscriber implements CoreSubscriber<Block>, Subscription, Runnable {
    private final CoreSubscriber<? super Block> actual;
    private final Scheduler.Worker worker = scheduler.createWorker();
    private final Queue<Block> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final AtomicBoolean recheckPending = new AtomicBoolean();
    private volatile Subscription upstream;
    private volatile boolean done;
    private volatile boolean cancelled;
    private volatile Throwable error;
    private volatile double meanBlockBytes;
    private long arrived;
    private long throttledSince;
    private long throttledBlocks;
    /** Blocks allowed in flight (queued or requested): starts at 1, doubles per emission. */
    private volatile long window = 1;

    GovernorSubscriber(CoreSubscriber<? super Block> actual) {
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
        schedule();
      }
    }

    @Override
    public void onNext(Block block) {
      if (done || cancelled) {
        block.release();
        return;
      }
      List<Block> pieces;
      try {
        pieces = cut(block.transferTo(account));
      } catch (RuntimeException e) {
        block.release();
        upstream.cancel();
        onError(e);
        return;
      }
      outstanding.decrementAndGet();
      // Credits are counted in upstream blocks: estimate what one upstream block brings, all its
      // pieces together.
      long size = pieces.stream().mapToLong(Block::sizeBytes).sum();
      long largest = pieces.stream().mapToLong(Block::sizeBytes).max().orElse(0);
      synchronized (this) {
        arrived++;
        meanBlockBytes += (size - meanBlockBytes) / Math.min(arrived, 16);
        if (throttledBlocks > 0) {
          throttledBlocks--;
          stats.recordThrottled(0, size);
        }
      }
      if (fixedPrefetch == 0 && largest > account.budgetBytes()) {
        stats.recordOversize();
        if (warned.compareAndSet(false, true)) {
          LOG.warn("operator '{}' received a {} block, larger than its whole {} budget; it flows"
                  + " one block at a time. Use smaller blocks (DataContext.targetMaxBlockSize,"
                  + " Dataset.rebatch) or a larger memory limit.", name, Bytes.format(largest),
              Bytes.format(account.budgetBytes()));
        }
      }
      queue.addAll(pieces);
      if (cancelled) {
        clear();
      }
      schedule();
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      done = true;
      schedule();
    }

    @Override
    public void onComplete() {
      done = true;
      schedule();
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        requested.accumulateAndGet(n, Operators::addCap);
        schedule();
      }
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        upstream.cancel();
        schedule();
      }
    }

    void schedule() {
      if (wip.getAndIncrement() == 0) {
        try {
          worker.schedule(this);
        } catch (RejectedExecutionException e) {
          clear();
        }
      }
    }

    @Override
    public void run() {
      int missed = 1;
      for (;;) {
        if (cancelled) {
          closeThrottle();
          clear();
          worker.dispose();
          return;
        }
        long r = requested.get();
        long emitted = 0;
        while (emitted != r) {
          if (cancelled) {
            clear();
            worker.dispose();
            return;
          }
          boolean d = done;
          Block b = queue.poll();
          if (b == null) {
            if (d) {
              terminate();
              return;
            }
            break;
          }
          actual.onNext(b);
          emitted++;
          window = Math.min(window * 2, MAX_WINDOW);
        }
        if (emitted == r && done && queue.isEmpty()) {
          terminate();
          return;
        }
        if (emitted != 0) {
          long e = emitted;
          requested.accumulateAndGet(e, (current, done) ->
              current == Long.MAX_VALUE ? current : current - done);
        }
        requestUpstream();
        missed = wip.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    private void requestUpstream() {
      if (done || cancelled || upstream == null) {
        return;
      }
      long out = outstanding.get();
      long want;
      if (fixedPrefetch > 0) {
        want = fixedPrefetch - queue.size() - out;
      } else {
        long held = account.heldBytes();
        double mean = meanBlockBytes;
        boolean starving = requested.get() > 0 && queue.isEmpty() && out == 0
            && (passThrough || stats.inFlight() == 0);
        if ((held == 0 && out == 0) || starving) {
          // Progress: an operator holding nothing, or asking for input with none queued, none
          // coming and nothing in process (it is gathering rows, e.g. into a batch), gets a block.
          want = 1;
        } else if (mean <= 0) {
          want = 0;
        } else {
          long room = Math.min(account.budgetBytes() - held, account.arena().headroomBytes());
          double ratio = passThrough ? 0 : stats.outputRatio();
          // Before the first output, assume the operator's output is as large as its input.
          double footprint = mean * (1 + (ratio < 0 ? 1 : ratio));
          want = (long) (room / footprint) - out;
        }
      }
      // Memory-bound: the byte credit, not the window, is what holds demand back.
      boolean memoryBound = want <= 0 && fixedPrefetch == 0;
      want = Math.min(want, window - out - queue.size());
      long now = System.nanoTime();
      if (want > 0) {
        synchronized (this) {
          if (throttledSince != 0) {
            stats.recordThrottled(now - throttledSince, 0);
            throttledSince = 0;
            throttledBlocks = want;
          }
        }
        outstanding.addAndGet(want);
        upstream.request(want);
      } else if (out == 0 && memoryBound) {
        synchronized (this) {
          if (throttledSince == 0) {
            throttledSince = now;
          }
        }
        if (recheckPending.compareAndSet(false, true)) {
          worker.schedule(() -> {
            recheckPending.set(false);
            schedule();
          }, RECHECK_MICROS, TimeUnit.MICROSECONDS);
        }
      }
    }

    /** Records a throttle still open when the stream ends. */
    private synchronized void closeThrottle() {
      if (throttledSince != 0) {
        stats.recordThrottled(System.nanoTime() - throttledSince, 0);
        throttledSince = 0;
      }
    }

    private void terminate() {
      closeThrottle();
      Throwable e = error;
      if (e != null) {
        actual.onError(e);
      } else {
        actual.onComplete();
      }
      worker.dispose();
    }

    private void clear() {
      Block b;
      while ((b = queue.poll()) != null) {
        b.release();
      }
    }
  }
}
