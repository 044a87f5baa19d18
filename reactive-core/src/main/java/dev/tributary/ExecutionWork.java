package dev.tributary;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Knows when nothing of one execution runs any more: the execution counts as one unit of work
 * until its stream terminates (or its subscriber abandons it), and every task it schedules counts
 * as one until it has run or been cancelled. Every thread an execution uses comes from its
 * runtime's schedulers, wrapped by {@link #track(Scheduler)}, so when the count reaches zero no
 * thread can still touch the execution's blocks: only then may its scope release what is left
 * (freeing memory a task still writes would corrupt it), and it may at once (no polling, no
 * guessed quiet period).
 */
final class ExecutionWork {
  private final AtomicLong pending = new AtomicLong(1);
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicBoolean idle = new AtomicBoolean();
  private final Runnable onIdle;

  ExecutionWork(Runnable onIdle) {
    this.onIdle = onIdle;
  }

  /** The execution's stream terminated, was cancelled or was abandoned (idempotent). */
  void end() {
    if (ended.compareAndSet(false, true)) {
      done();
    }
  }

  private void begin() {
    pending.incrementAndGet();
  }

  private void done() {
    if (pending.decrementAndGet() == 0 && idle.compareAndSet(false, true)) {
      onIdle.run();
    }
  }

  /** {@code scheduler} with every task it runs for this execution counted. */
  Scheduler track(Scheduler scheduler) {
    return new Tracked(scheduler);
  }

  /** A scheduler task counted from when it is scheduled until it ran or was cancelled. */
  private final class Task implements Runnable, Disposable {
    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int CANCELLING = 2;
    private static final int DONE = 3;

    private final Runnable body;
    private final boolean periodic;
    private final Set<Task> owner;
    private final AtomicInteger state = new AtomicInteger(PENDING);
    private volatile Disposable scheduled;

    Task(Runnable body, boolean periodic, Set<Task> owner) {
      this.body = body;
      this.periodic = periodic;
      this.owner = owner;
      begin();
      if (owner != null) {
        owner.add(this);
      }
    }

    /** Schedules with {@code how}; a refused task is no longer counted. */
    Task start(java.util.function.Function<Task, Disposable> how) {
      try {
        scheduled = how.apply(this);
      } catch (RejectedExecutionException e) {
        dispose();
        throw e;
      }
      return this;
    }

    @Override
    public void run() {
      if (!state.compareAndSet(PENDING, RUNNING)) {
        return;
      }
      try {
        body.run();
      } finally {
        if (!periodic || !state.compareAndSet(RUNNING, PENDING)) {
          finish();
        }
      }
    }

    @Override
    public void dispose() {
      for (;;) {
        int s = state.get();
        if (s == PENDING && state.compareAndSet(PENDING, DONE)) {
          finished();
          break;
        }
        // A running task ends when its body returns; it will not run again.
        if (s == RUNNING && state.compareAndSet(RUNNING, CANCELLING)) {
          break;
        }
        if (s == CANCELLING || s == DONE) {
          break;
        }
      }
      Disposable d = scheduled;
      if (d != null) {
        d.dispose();
      }
    }

    private void finish() {
      state.set(DONE);
      finished();
    }

    private void finished() {
      if (owner != null) {
        owner.remove(this);
      }
      done();
    }

    @Override
    public boolean isDisposed() {
      return state.get() >= CANCELLING;
    }
  }

  private final class Tracked implements Scheduler {
    private final Scheduler delegate;

    Tracked(Scheduler delegate) {
      this.delegate = delegate;
    }

    @Override
    public Disposable schedule(Runnable task) {
      return new Task(task, false, null).start(delegate::schedule);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
      return new Task(task, false, null).start(t -> delegate.schedule(t, delay, unit));
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period,
        TimeUnit unit) {
      return new Task(task, true, null)
          .start(t -> delegate.schedulePeriodically(t, initialDelay, period, unit));
    }

    @Override
    public long now(TimeUnit unit) {
      return delegate.now(unit);
    }

    @Override
    public Worker createWorker() {
      return new TrackedWorker(delegate.createWorker());
    }

    @Override
    public boolean isDisposed() {
      return delegate.isDisposed();
    }

    /** The runtime owns the scheduler: an execution's view never disposes it. */
    @Override
    public void dispose() {
    }

    @Override
    public Mono<Void> disposeGracefully() {
      return Mono.empty();
    }

    @Override
    public void init() {
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }

  private final class TrackedWorker implements Scheduler.Worker {
    private final Scheduler.Worker delegate;
    /** Tasks not yet run: disposing the worker cancels them without telling each one. */
    private final Set<Task> tasks = ConcurrentHashMap.newKeySet();

    TrackedWorker(Scheduler.Worker delegate) {
      this.delegate = delegate;
    }

    @Override
    public Disposable schedule(Runnable task) {
      return new Task(task, false, tasks).start(delegate::schedule);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
      return new Task(task, false, tasks).start(t -> delegate.schedule(t, delay, unit));
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period,
        TimeUnit unit) {
      return new Task(task, true, tasks)
          .start(t -> delegate.schedulePeriodically(t, initialDelay, period, unit));
    }

    @Override
    public void dispose() {
      delegate.dispose();
      for (Task t : tasks) {
        t.dispose();
      }
    }

    @Override
    public boolean isDisposed() {
      return delegate.isDisposed();
    }
  }
}
