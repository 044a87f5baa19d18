package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * The stateful one-to-one operator (Ray's actor pool): a pool of workers, each with its own
 * instance of a block transform made by a factory, for functions that are expensive to set up
 * (a model loaded once) or not thread-safe.
 *
 * <p>Guarantees: a worker makes its instance once, on its first block, and reuses it for every
 * block it takes; an instance is only ever called by its one worker, so never from two threads
 * at once; every instance that is {@link AutoCloseable} is closed when its worker retires, when
 * the stream completes, fails or is cancelled (a worker busy at that moment closes it as soon as
 * its call returns, never under it). A failure to close is dropped to Reactor's {@code
 * onErrorDropped} hook: the data was already delivered.
 *
 * <p>Scaling policy (no timer: decided when a block arrives and when a worker finishes one).
 * Utilisation is (blocks being processed + blocks queued) / workers, where queued blocks are
 * those taken from upstream that wait for a free worker. The pool starts with no worker and adds
 * one for each arriving block while it has fewer than {@code min}; above that, it adds one when
 * an arriving block finds no free worker and utilisation exceeds {@link #GROW_ABOVE} (the input
 * queue holds more than one block per worker), up to {@code max}. A worker that finds the queue
 * empty goes idle; then, while utilisation is below {@link #SHRINK_BELOW} and the pool has more
 * than {@code min} workers, idle workers retire and close their instances. The thresholds are
 * Ray Data's actor-pool autoscaler's. The pool takes up to {@code 2 * max} blocks from upstream
 * at once (enough to pass the growth threshold with {@code max - 1} workers), all charged to its
 * account, so its governor bounds them in bytes too.
 *
 * <p>Ownership, order and errors are as in {@link MapBlocks}: inputs move into the operator's
 * account, outputs keep input order unless told not to, a failure (of the function or of the
 * factory) fails the stream with a {@link UserFunctionException} naming the operator and block,
 * and blocks dropped on cancel or error are released.
 */
public final class WorkerPool implements Function<Flux<Block>, Flux<Block>> {
  /** Utilisation above which the pool adds a worker (Ray: 2.0). */
  public static final double GROW_ABOVE = 2.0;
  /** Utilisation below which idle workers retire (Ray: 0.5). */
  public static final double SHRINK_BELOW = 0.5;

  private final String name;
  private final Supplier<? extends BlockTransform> factory;
  private final Account account;
  private final int min;
  private final int max;
  private final Scheduler scheduler;
  private final boolean ordered;
  private final OperatorStats stats;
  private final StageLoad load;
  private final ErroredBlocks errored;

  private WorkerPool(String name, Supplier<? extends BlockTransform> factory, Account account,
      int min, int max, Scheduler scheduler, boolean ordered, OperatorStats stats,
      StageLoad load, ErroredBlocks errored) {
    this.name = name;
    this.factory = factory;
    this.account = account;
    this.min = min;
    this.max = max;
    this.scheduler = scheduler;
    this.ordered = ordered;
    this.stats = stats;
    this.load = load;
    this.errored = errored;
  }

  /**
   * A pool named {@code name} of {@code min} to {@code max} workers on {@code scheduler}, each
   * running its own instance from {@code factory}, charging {@code account}.
   *
   * @throws IllegalArgumentException unless {@code 1 <= min <= max}
   */
  public static WorkerPool of(String name, Supplier<? extends BlockTransform> factory,
      Account account, int min, int max, Scheduler scheduler) {
    if (min < 1 || max < min) {
      throw new IllegalArgumentException("a pool needs 1 <= min <= max, was min " + min
          + ", max " + max);
    }
    return new WorkerPool(Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(factory, "factory"), Objects.requireNonNull(account, "account"),
        min, max, Objects.requireNonNull(scheduler, "scheduler"), true,
        new OperatorStats(name).account(account), new StageLoad(), ErroredBlocks.NONE);
  }

  /** Whether output keeps input order (default true). */
  public WorkerPool ordered(boolean ordered) {
    return new WorkerPool(name, factory, account, min, max, scheduler, ordered, stats, load,
        errored);
  }

  /** Reports into {@code stats} instead of the operator's own counters. */
  public WorkerPool stats(OperatorStats stats) {
    return new WorkerPool(name, factory, account, min, max, scheduler, ordered,
        stats.account(account), load, errored);
  }

  /**
   * Drops a block its function fails on, instead of failing, while {@code errored} (shared by an
   * execution's stages) allows.
   */
  public WorkerPool erroredBlocks(ErroredBlocks errored) {
    return new WorkerPool(name, factory, account, min, max, scheduler, ordered, stats, load,
        Objects.requireNonNull(errored, "errored"));
  }

  /** The counters this operator reports into (with its worker count). */
  public OperatorStats stats() {
    return stats;
  }

  /** What this operator has in hand, for the governor on its input. */
  public StageLoad load() {
    return load;
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    StageCall call = new StageCall(name, account, stats, load, errored);
    Flux<Block> out = Flux.defer(() -> {
      Workers workers = new Workers(call);
      return call.pooled(upstream, 2 * max, ordered, (b, i, transit) ->
          Mono.<Block>create(sink -> {
            Job job = new Job(b, i, sink, transit);
            sink.onCancel(job::cancel);
            workers.submit(job);
          }))
          .doFinally(signal -> workers.shutDown());
    });
    return stats.instrument(out).doOnDiscard(Block.class, Block::release);
  }

  @Override
  public String toString() {
    return "WorkerPool[" + name + ", " + min + ".." + max + " workers]";
  }

  /** One block waiting for a worker, and where its result goes. */
  private static final class Job {
    final Block input;
    final long index;
    final MonoSink<Block> sink;
    final HandOff transit;
    volatile boolean cancelled;

    Job(Block input, long index, MonoSink<Block> sink, HandOff transit) {
      this.input = input;
      this.index = index;
      this.sink = sink;
      this.transit = transit;
    }

    void cancel() {
      cancelled = true; // its block stays in transit, released when the stream ends
    }
  }

  /** A worker: its instance, made on its first block, and only ever used by its drain loop. */
  private static final class Worker {
    BlockTransform instance;
  }

  /** The workers of one subscription, the queue of blocks waiting for them, and the policy. */
  private final class Workers {
    private final StageCall call;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    /** Workers alive (idle or busy). */
    private int size;
    private int busy;
    private boolean shutDown;

    Workers(StageCall call) {
      this.call = call;
    }

    /** Queues {@code job}; starts an idle or new worker on the queue head if the policy allows. */
    void submit(Job job) {
      Worker start = null;
      Job first = null;
      synchronized (this) {
        if (shutDown) {
          return; // the stream ended: its block is released by the hand-off
        }
        queue.add(job);
        if (size < min || idle.isEmpty() && size < max
            && busy + queue.size() > GROW_ABOVE * size) {
          start = new Worker();
          size++;
          stats.recordWorkers(size);
        } else if (!idle.isEmpty()) {
          start = idle.pop();
        }
        if (start != null) {
          busy++;
          first = queue.poll(); // a started worker's block counts as busy, no longer queued
        }
      }
      if (start != null) {
        start(start, first);
      }
    }

    /** Runs {@code job} on {@code worker} in a task of the scheduler. */
    private void start(Worker worker, Job job) {
      try {
        scheduler.schedule(() -> drain(worker, job));
      } catch (RejectedExecutionException e) {
        List<Worker> retired;
        synchronized (this) {
          busy--;
          idle.push(worker);
          retired = retire();
        }
        retired.forEach(WorkerPool::close);
        job.sink.error(e);
      }
    }

    /**
     * A worker's turn: runs {@code job}, then takes the next queued block in a new task (so a
     * busy pool shares the scheduler's threads with other stages), or goes idle.
     */
    private void drain(Worker worker, Job job) {
      run(worker, job);
      Job next;
      List<Worker> retired = null;
      synchronized (this) {
        next = shutDown ? null : queue.poll();
        if (next == null) {
          busy--;
          idle.push(worker);
          retired = retire();
        }
      }
      if (next == null) {
        retired.forEach(WorkerPool::close);
      } else {
        start(worker, next);
      }
    }

    /** Under the lock: the idle workers the policy (or the end) retires now. */
    private List<Worker> retire() {
      List<Worker> retired = new ArrayList<>();
      while (!idle.isEmpty()
          && (shutDown || size > min && busy + queue.size() < SHRINK_BELOW * size)) {
        retired.add(idle.pop());
        size--;
      }
      if (!retired.isEmpty()) {
        stats.recordWorkers(size);
      }
      return retired;
    }

    /** Ends the pool: idle workers close now, busy ones when their call returns. */
    void shutDown() {
      List<Worker> retired;
      synchronized (this) {
        shutDown = true;
        queue.clear();
        retired = retire();
      }
      retired.forEach(WorkerPool::close);
    }

    private void run(Worker worker, Job job) {
      if (job.cancelled || !job.transit.take(job.input)) {
        return; // released by the hand-off
      }
      Block made;
      try {
        made = call.run(job.input, job.index, in -> {
          if (worker.instance == null) {
            worker.instance = Objects.requireNonNull(factory.get(),
                "the factory returned null; return a new instance");
          }
          // The transform consumes its input (BlockTransform.run releases it if it throws).
          return BlockTransform.run(worker.instance, in, account);
        });
      } catch (RuntimeException e) {
        job.sink.error(e);
        return;
      }
      if (made == null) {
        job.sink.success();
      } else if (job.transit.offer(made)) {
        job.sink.success(made);
      }
    }
  }

  /** Closes a retired worker's instance, if it made one and it is closeable. */
  private static void close(Worker worker) {
    if (worker.instance instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        Operators.onErrorDropped(e, Context.empty());
      }
    }
  }
}
