package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.CreditPolicy.Bound;
import dev.tributary.operators.CreditPolicy.Credit;
import dev.tributary.operators.CreditPolicy.State;
import java.lang.ref.WeakReference;
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
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * The memory governor on an operator's input: requests blocks from upstream only as far as the
 * {@link CreditPolicy} allows, and hands them downstream on the operator's own worker.
 *
 * <p>The mechanism, not the policy: it gathers the policy's {@link State} (its account's budget
 * and holdings, the headroom of its execution scope (or arena), the mean block it received, the window, its queue, what it
 * requested, and the {@link StageLoad} of the operator it feeds), requests what the credit says,
 * and when memory holds the credit at zero it waits for the account's <em>room signal</em>
 * ({@link Account#onRoom}: memory released or moved out, the budget raised) or the stage finishing
 * a block, never polling. Only when the headroom above its account ({@link
 * Account#headroomBytes()}: its execution's cap or the arena's limit), not its own budget, is what
 * holds it back (memory other operators or executions hold gives no signal here) does it also look
 * again after {@link #FALLBACK_MILLIS}. The room signal and the fallback timer hold the governor
 * weakly, so neither keeps a subscriber chain its consumer walked away from reachable.
 *
 * <p>Each arriving block is moved into the account at once, so queued input is charged to the
 * operator that holds it. Emission runs on a worker of the given scheduler, so the operator runs
 * concurrently with its upstream (pipeline parallelism, like {@code publishOn} with a byte-sized
 * prefetch). It tells its operator's stats when memory holds it back ({@link WaitReason#MEMORY})
 * and when the operator asked for input that has not come ({@link WaitReason#UPSTREAM}). The subscriber answers Reactor's {@link Scannable} questions (buffered, prefetch,
 * requested, parent, actual, terminated, cancelled) and takes no lock.
 */
public final class Governor implements Function<Flux<Block>, Flux<Block>> {
  private static final Logger LOG = LoggerFactory.getLogger(Governor.class);
  /**
   * How long a governor held back by the headroom above its account waits before looking again: memory
   * freed by other executions gives no signal of its own. Slow on purpose; it is a fallback.
   */
  public static final long FALLBACK_MILLIS = 50;

  private final String name;
  private final Account account;
  private final Scheduler scheduler;
  private final OperatorStats stats;
  private final CreditPolicy policy;
  private final boolean passThrough;
  private final StageLoad load;

  private Governor(String name, Account account, Scheduler scheduler, OperatorStats stats,
      CreditPolicy policy, boolean passThrough, StageLoad load) {
    this.name = name;
    this.account = account;
    this.scheduler = scheduler;
    this.stats = stats;
    this.policy = policy;
    this.passThrough = passThrough;
    this.load = load;
  }

  /** A byte-based governor feeding the operator that owns {@code account} and {@code stats}. */
  public static Governor of(String name, Account account, Scheduler scheduler,
      OperatorStats stats) {
    return new Governor(Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(account, "account"), Objects.requireNonNull(scheduler, "scheduler"),
        Objects.requireNonNull(stats, "stats"), CreditPolicy.byBytes(), false, null);
  }

  /** The same governor as a count-based prefetch of {@code blocks} blocks, ignoring memory. */
  public Governor countBased(int blocks) {
    return new Governor(name, account, scheduler, stats, CreditPolicy.fixedPrefetch(blocks),
        passThrough, load);
  }

  /**
   * The same governor for a boundary with no operator behind it (the consumer's end): a block
   * it admits is all it will hold, with no output to make room for, and it reads at most one
   * block beyond what its consumer asked for.
   */
  public Governor passThrough() {
    return new Governor(name, account, scheduler, stats, policy, true, load);
  }

  /**
   * The same governor feeding a stage that reports its load in {@code load}: blocks in process
   * and their expected outputs count against the budget (see {@link MapBlocks#load()}).
   */
  public Governor feeding(StageLoad load) {
    return new Governor(name, account, scheduler, stats, policy, passThrough,
        Objects.requireNonNull(load, "load"));
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    Flux<Block> governed = Flux.from(subscriber ->
        upstream.subscribe(new GovernorSubscriber(Operators.toCoreSubscriber(subscriber))));
    return governed.doOnDiscard(Block.class, Block::release);
  }

  @Override
  public String toString() {
    return "Governor[" + name + ", " + policy + (passThrough ? ", pass-through" : "") + "]";
  }

  /**
   * Wakes a governor from outside its subscriber chain (its account's room signal, its stage's
   * finished blocks, the fallback timer), holding it weakly: an account lives as long as its
   * execution's scope and a timer until it fires, and neither may keep reachable a chain its
   * consumer walked away from (the runtime ends such an execution once the chain is garbage).
   */
  private static final class Wake implements Runnable {
    private final WeakReference<GovernorSubscriber> governor;
    private final boolean fallback;

    Wake(GovernorSubscriber governor, boolean fallback) {
      this.governor = new WeakReference<>(governor);
      this.fallback = fallback;
    }

    @Override
    public void run() {
      GovernorSubscriber g = governor.get();
      if (g == null) {
        return;
      }
      if (fallback) {
        g.fallbackFired();
      } else {
        g.roomSignal();
      }
    }
  }

  private final class GovernorSubscriber
      implements CoreSubscriber<Block>, Subscription, Scannable, Runnable {
    private final CoreSubscriber<? super Block> actual;
    private final Scheduler.Worker worker = scheduler.createWorker();
    private final Queue<Block> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicLong outstanding = new AtomicLong();
    /** The room signal and finished-block wake, holding this subscriber weakly. */
    private final Runnable roomWake = new Wake(this, false);
    /** Set while the credit is zero: the next room signal or finished block schedules a look. */
    private final AtomicBoolean waiting = new AtomicBoolean();
    private final AtomicBoolean fallbackPending = new AtomicBoolean();
    private final AtomicBoolean warned = new AtomicBoolean();
    /** Whether memory holds the credit at zero now (its wait counted in the stats). */
    private final AtomicBoolean throttled = new AtomicBoolean();
    /** Blocks requested when a throttle ended, whose bytes count as throttled when they come. */
    private final AtomicLong throttledBlocks = new AtomicLong();
    private volatile Subscription upstream;
    private volatile boolean done;
    private volatile boolean cancelled;
    private volatile Throwable error;
    /** Written by onNext only (serial), read by the drain loop. */
    private volatile double meanBlockBytes;
    private long arrived;
    /** Blocks allowed in flight: starts at 1, doubles per block handed on (drain loop only). */
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
        if (policy.governsMemory()) {
          account.onRoom(roomWake);
          if (load != null) {
            load.onFinished(roomWake);
          }
        }
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
      Block b;
      try {
        b = block.transferTo(account);
      } catch (RuntimeException e) {
        block.release();
        upstream.cancel();
        onError(e);
        return;
      }
      outstanding.decrementAndGet();
      stats.waitEnds(WaitReason.UPSTREAM, System.nanoTime());
      long size = b.sizeBytes();
      arrived++;
      meanBlockBytes += (size - meanBlockBytes) / Math.min(arrived, 16);
      if (throttledBlocks.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        stats.recordThrottledBytes(size);
      }
      if (policy.governsMemory() && size > account.budgetBytes()) {
        stats.recordOversize();
        if (warned.compareAndSet(false, true)) {
          LOG.warn("operator '{}' received a {} block, larger than its whole {} budget; it flows"
                  + " one block at a time. Use smaller blocks (DataContext.targetMaxBlockSize,"
                  + " Dataset.rebatch) or a larger memory limit.", name, Bytes.format(size),
              Bytes.format(account.budgetBytes()));
        }
      }
      queued.incrementAndGet();
      queue.offer(b);
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

    /** The fallback timer fired: look again whatever the signals said. */
    private void fallbackFired() {
      fallbackPending.set(false);
      waiting.set(false);
      schedule();
    }

    /** The room signal: runs on whichever thread freed memory, so it only schedules a look. */
    private void roomSignal() {
      if (waiting.get() && waiting.compareAndSet(true, false)) {
        schedule();
      }
    }

    private void schedule() {
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
      try {
        drain();
      } catch (Throwable t) {
        // A throw out of the drain (a subscriber breaking the Reactive Streams rule, or a JVM
        // error Reactor rethrows) would leave wip set for good: this governor would never run
        // again and its pipeline would wait forever with every thread parked. End it instead.
        failed(t);
      }
    }

    private void failed(Throwable t) {
      cancelled = true;
      upstream.cancel();
      end();
      clear();
      actual.onError(t);
    }

    private void drain() {
      int missed = 1;
      for (;;) {
        if (cancelled) {
          end();
          clear();
          return;
        }
        long r = requested.get();
        long emitted = 0;
        while (emitted != r) {
          if (cancelled) {
            end();
            clear();
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
          queued.decrementAndGet();
          actual.onNext(b);
          emitted++;
          window = Math.min(window * 2, CreditPolicy.MAX_WINDOW);
        }
        if (emitted == r && done && queue.isEmpty()) {
          terminate();
          return;
        }
        if (emitted != 0 && r != Long.MAX_VALUE) {
          requested.addAndGet(-emitted);
        }
        requestUpstream();
        noteStarved();
        missed = wip.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    private State state() {
      return new State(account.budgetBytes(), account.heldBytes(),
          account.headroomBytes(), meanBlockBytes,
          load == null ? -1 : load.outputRatio(), window, queued.get(), outstanding.get(),
          load == null ? 0 : load.inProcess(), load == null ? 0 : load.waitingOutputs(),
          requested.get(), passThrough);
    }

    private void requestUpstream() {
      if (done || cancelled || upstream == null) {
        return;
      }
      Credit credit = policy.credit(state());
      if (credit.blocks() == 0 && policy.governsMemory()) {
        // Arm the signal, then look once more: room freed between the two looks is not lost.
        waiting.set(true);
        credit = policy.credit(state());
        if (credit.blocks() > 0) {
          waiting.set(false);
        }
      }
      if (credit.blocks() > 0) {
        if (throttled.compareAndSet(true, false)) {
          stats.waitEnds(WaitReason.MEMORY, System.nanoTime());
          throttledBlocks.set(credit.blocks());
        }
        outstanding.addAndGet(credit.blocks());
        upstream.request(credit.blocks());
      } else if (credit.throttled() && outstanding.get() == 0) {
        if (throttled.compareAndSet(false, true)) {
          stats.waitBegins(WaitReason.MEMORY, System.nanoTime());
        }
        if (credit.bound() == Bound.HEADROOM && fallbackPending.compareAndSet(false, true)) {
          worker.schedule(new Wake(this, true), FALLBACK_MILLIS, TimeUnit.MILLISECONDS);
        }
      }
    }

    /**
     * Whether the operator is starved, as far as its input shows: it asked for blocks, none is
     * queued, and some are requested upstream and not here yet (memory is not what holds it).
     */
    private void noteStarved() {
      if (requested.get() > 0 && queued.get() == 0 && outstanding.get() > 0 && !done) {
        stats.waitBegins(WaitReason.UPSTREAM, System.nanoTime());
      } else {
        stats.waitEnds(WaitReason.UPSTREAM, System.nanoTime());
      }
    }

    /** Stops listening and ends the waits still under way when the stream ends. */
    private void end() {
      account.onRoom(null);
      if (load != null) {
        load.onFinished(null);
      }
      long now = System.nanoTime();
      if (throttled.getAndSet(false)) {
        stats.waitEnds(WaitReason.MEMORY, now);
      }
      stats.waitEnds(WaitReason.UPSTREAM, now);
      worker.dispose();
    }

    private void terminate() {
      end();
      Throwable e = error;
      if (e != null) {
        actual.onError(e);
      } else {
        actual.onComplete();
      }
    }

    private void clear() {
      Block b;
      while ((b = queue.poll()) != null) {
        queued.decrementAndGet();
        b.release();
      }
    }

    @Override
    public Object scanUnsafe(Attr key) {
      if (key == Attr.PARENT) {
        return upstream;
      }
      if (key == Attr.ACTUAL) {
        return actual;
      }
      if (key == Attr.BUFFERED) {
        return (int) Math.min(Integer.MAX_VALUE, queued.get());
      }
      if (key == Attr.PREFETCH) {
        return (int) window;
      }
      if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
        return requested.get();
      }
      if (key == Attr.TERMINATED) {
        return done;
      }
      if (key == Attr.CANCELLED) {
        return cancelled;
      }
      if (key == Attr.ERROR) {
        return error;
      }
      if (key == Attr.RUN_ON) {
        return worker;
      }
      if (key == Attr.RUN_STYLE) {
        return Attr.RunStyle.ASYNC;
      }
      return null;
    }

    @Override
    public String stepName() {
      return "govern(" + name + ")";
    }
  }
}
