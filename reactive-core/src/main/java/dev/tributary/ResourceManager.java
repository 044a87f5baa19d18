package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.operators.OperatorStats;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Admits an execution into its runtime when the memory it needs is there, divides the runtime's
 * arena among the executions running in it, and an execution's share into per-operator budgets.
 *
 * <p>Admission. Every execution has a <em>minimum</em>: the working set it cannot make progress
 * without ({@link WorkingSet}: a few blocks per governed stage and source). An execution starts
 * at once when no other runs; otherwise only when the minimums of the executions admitted, its
 * own included, fit the budgeted part of the arena (the limit less {@link #SAFETY_FRACTION}), and
 * its minimum is free in the arena now. Until then it waits in a first-in, first-out queue,
 * holding no memory and no thread: a governed pipeline throttles, it never fails for lack of
 * memory. The head of the queue, once the minimums fit, is counted in the budgets at once, so
 * the running executions shrink to make room for it; it starts when their memory has come down
 * (looked at when an execution ends and on each tick of the runtime's {@link Ticker}, which
 * runs while executions do). Waiting only makes sense while the running executions can move: if
 * every one of them is held by its consumer (its output waits for downstream demand) and none
 * emitted a block for {@link #STALL_TICKS} ticks while the head waited, their consumers may be
 * waiting for the very execution that waits (a consumer of one dataset running another): the
 * head starts anyway, so admission never turns that into a hang. An execution whose minimum alone exceeds its memory limit
 * never starts ({@link WorkingSetTooLargeException}, before it queues).
 *
 * <p>Budgets. An execution's share is its minimum plus an even part of what the admitted
 * executions' minimums leave of the budgeted arena (so equal executions get the fair share,
 * the arena divided by their number, less {@link #SAFETY_FRACTION} kept unbudgeted to absorb
 * estimation error, as an operator's output size is only known once computed), at most its own
 * memory limit less that fraction, at least its minimum. Each governed operator, the source
 * included, first gets its own minimum; of the rest, {@link #RESERVED_FRACTION} is split evenly
 * between them so none starves, and the remainder, the shared pool, goes to the bottleneck: the
 * stage with the highest moving average of its current busy rate (time in user functions per
 * second of wall time, so a stage running four tasks at once can reach 4). A source takes part
 * in the reserve only.
 *
 * <p>Events, not polling: budgets are recomputed when an execution starts, queues at the head
 * or ends. Rates are sampled on every tick of the runtime's {@link Ticker} (each {@link
 * #REBALANCE_PERIOD}), which ticks only while some execution runs; the bottleneck moves only
 * when another stage's rate passes the current one's by {@link #SWITCH_MARGIN}, so budgets, and
 * the room signals a raise sends, change only when the bottleneck really moved.
 *
 * <p>The executions sharing an arena are those of one runtime: its {@link Running} registry, the
 * admission queue and budget planner (one per runtime, no process-wide state).
 */
final class ResourceManager {
  /** Fraction of the arena no budget includes, absorbing estimate error. */
  static final double SAFETY_FRACTION = 0.1;
  /** Fraction of the budgeted share, beyond the operators' minimums, reserved evenly. */
  static final double RESERVED_FRACTION = 0.5;
  /** How often busy rates are sampled while an execution runs: the runtime's ticker period. */
  static final Duration REBALANCE_PERIOD = Ticker.PERIOD;
  /** Weight of the newest sample in each stage's moving average of its busy rate. */
  static final double RATE_WEIGHT = 0.3;
  /** How much busier than the current bottleneck a stage must be to take the pool over. */
  static final double SWITCH_MARGIN = 1.1;
  /**
   * Ticks (of {@link Ticker#PERIOD}) with no block emitted by any running execution after which
   * the head of the queue starts whatever memory says: a second, far longer than a block takes.
   */
  static final int STALL_TICKS = 20;

  /**
   * The executions of one runtime: those running, whose budgets are planned together, and those
   * queued for memory, first come first served.
   */
  static final class Running {
    private final Set<ResourceManager> running = ConcurrentHashMap.newKeySet();
    /** Executions waiting to start, oldest first (guarded by this). */
    private final Deque<ResourceManager> queue = new ArrayDeque<>();
    private final Arena arena;
    private final Runnable onJoin;
    /** The head of the queue once the minimums fit: counted in the budgets (guarded by this). */
    private ResourceManager reserved;
    /** Blocks the running executions had emitted at the last tick (guarded by this). */
    private long lastProgress = -1;
    /** Ticks in a row the head waited while no running execution emitted a block. */
    private int stalledTicks;
    private volatile int queued;

    /**
     * The registry of the executions of the runtime owning {@code arena}; calls {@code onJoin}
     * when an execution starts or queues (to wake the ticker).
     */
    Running(Arena arena, Runnable onJoin) {
      this.arena = arena;
      this.onJoin = onJoin;
    }

    /** Whether any execution runs or waits. */
    boolean active() {
      return !running.isEmpty() || queued > 0;
    }

    /** How many executions wait for memory now. */
    int queued() {
      return queued;
    }

    /** The part of the arena budgets may take. */
    long budgetable() {
      return (long) (arena.limitBytes() * (1 - SAFETY_FRACTION));
    }

    /**
     * Queues {@code execution} and starts what may start; returns whether it is running now
     * (false: it waits, or was stopped first).
     */
    boolean enqueue(ResourceManager execution) {
      synchronized (this) {
        if (execution.stopped) {
          return false;
        }
        queue.addLast(execution);
        queued = queue.size();
      }
      admit(false);
      onJoin.run();
      return execution.admittedNanos != 0;
    }

    /** Removes an execution that ended (or was cancelled while it waited); others may start. */
    void remove(ResourceManager execution) {
      boolean changed;
      synchronized (this) {
        changed = running.remove(execution) | queue.remove(execution);
        queued = queue.size();
        if (reserved == execution) {
          reserved = null;
        }
      }
      if (changed) {
        admit(false);
      }
    }

    /** Samples every running execution's busy rates, starts what may start, rebalances. */
    void sampleAll() {
      synchronized (this) {
        running.forEach(ResourceManager::sample);
      }
      admit(true);
    }

    /**
     * Starts queued executions, oldest first, while they may (see the class comment), then
     * recomputes every running execution's budgets. On a {@code tick}, also judges whether the
     * running executions moved since the last one.
     */
    private void admit(boolean tick) {
      List<ResourceManager> started = new ArrayList<>();
      synchronized (this) {
        if (tick) {
          long progress = 0;
          for (ResourceManager m : running) {
            progress += m.progress.getAsLong();
          }
          boolean held = true;
          for (ResourceManager m : running) {
            held &= m.heldByConsumer.getAsBoolean();
          }
          stalledTicks = held && progress == lastProgress && !queue.isEmpty()
              ? stalledTicks + 1 : 0;
          lastProgress = progress;
        }
        reserved = null;
        while (!queue.isEmpty()) {
          ResourceManager head = queue.peekFirst();
          if (!running.isEmpty() && stalledTicks < STALL_TICKS) {
            long minimums = 0;
            for (ResourceManager m : running) {
              minimums += m.minimumBytes;
            }
            if (minimums + head.minimumBytes > budgetable()) {
              break;
            }
            if (arena.allocatedBytes() + head.minimumBytes > arena.limitBytes()) {
              reserved = head;
              break;
            }
          }
          queue.pollFirst();
          head.admittedNanos = System.nanoTime();
          running.add(head);
          started.add(head);
          stalledTicks = 0;
        }
        queued = queue.size();
        rebalanceAll();
      }
      for (ResourceManager m : started) {
        m.started();
      }
    }

    /** Recomputes every running execution's share and budgets (guarded by this). */
    private void rebalanceAll() {
      int n = running.size() + (reserved != null ? 1 : 0);
      long minimums = reserved != null ? reserved.minimumBytes : 0;
      for (ResourceManager m : running) {
        minimums += m.minimumBytes;
      }
      long free = Math.max(0, budgetable() - minimums);
      for (ResourceManager m : running) {
        m.rebalance(free / Math.max(1, n));
      }
    }
  }

  private final Running runtime;
  private final long memoryLimit;
  private final List<Governed> operators = new CopyOnWriteArrayList<>();
  private final Sinks.Empty<Void> admitted = Sinks.empty();
  private Governed bottleneck;
  /** The least this execution needs to make progress (bytes). */
  private volatile long minimumBytes;
  /** Blocks its operators emitted so far: whether it moves. */
  private volatile LongSupplier progress = () -> 0;
  /** Whether its consumer holds it now (its output waits for downstream demand). */
  private volatile BooleanSupplier heldByConsumer = () -> false;
  /** Its share of the runtime's memory before the safety fraction (bytes). */
  private volatile long shareBytes;
  private volatile long queuedNanos;
  private volatile long admittedNanos;
  private volatile long stoppedNanos;
  private volatile boolean stopped;

  /** One governed operator; {@code stats} is null for a source (no user time to measure). */
  private static final class Governed {
    final Account account;
    final OperatorStats stats;
    final long minimumBytes;
    long lastUserNanos;
    long lastSampleNanos = System.nanoTime();
    double rate;

    Governed(Account account, OperatorStats stats, long minimumBytes) {
      this.account = account;
      this.stats = stats;
      this.minimumBytes = minimumBytes;
    }
  }

  /** The planner of one execution capped at {@code memoryLimit} in {@code runtime}. */
  ResourceManager(Running runtime, long memoryLimit) {
    this.runtime = runtime;
    this.memoryLimit = Math.min(memoryLimit, runtime.arena.limitBytes());
    this.shareBytes = this.memoryLimit;
  }

  /**
   * Sets the least this execution needs to make progress, what tells that it moves (the blocks
   * its operators emitted so far) and whether its consumer holds it.
   */
  void minimum(long bytes, LongSupplier blocksEmitted, BooleanSupplier heldByConsumer) {
    this.minimumBytes = bytes;
    this.progress = blocksEmitted;
    this.heldByConsumer = heldByConsumer;
  }

  /** The least this execution needs to make progress (bytes). */
  long minimumBytes() {
    return minimumBytes;
  }

  /** Adds a stage (or a boundary) whose budget this manager sets, needing {@code minimum}. */
  void govern(Account account, OperatorStats stats, long minimum) {
    operators.add(new Governed(account, stats, minimum));
  }

  /** Adds a source needing {@code minimum}: a reserved share, never the pool. */
  void governSource(Account account, long minimum) {
    operators.add(new Governed(account, null, minimum));
  }

  /**
   * Completes once the execution is admitted: at once when memory allows, else when it reaches
   * the head of the queue and memory came back, on {@code scheduler}. {@code onQueued} runs if
   * it has to wait, and {@code onWaitEnd} when the wait ends (admitted or stopped). Cancelling
   * leaves the queue; {@link #stop()} ends it all.
   */
  Mono<Void> admission(Scheduler scheduler, Runnable onQueued, Runnable onWaitEnd) {
    return Mono.defer(() -> {
      queuedNanos = System.nanoTime();
      if (runtime.enqueue(this)) {
        queuedNanos = 0; // it never waited
        return Mono.empty();
      }
      onQueued.run();
      return admitted.asMono().doFinally(signal -> onWaitEnd.run()).publishOn(scheduler);
    });
  }

  /** Admitted: let the execution run (outside the registry's lock). */
  private void started() {
    admitted.tryEmitEmpty();
  }

  /** Whether the execution waits in the admission queue now. */
  boolean queued() {
    return queuedNanos != 0 && admittedNanos == 0 && !stopped;
  }

  /** How long the execution waited (or has waited so far) in the admission queue. */
  long queuedNanos() {
    long from = queuedNanos;
    if (from == 0) {
      return 0;
    }
    long to = admittedNanos != 0 ? admittedNanos : stoppedNanos != 0 ? stoppedNanos
        : System.nanoTime();
    return Math.max(0, to - from);
  }

  /** Its share of the runtime's memory now, before the safety fraction (bytes). */
  long shareBytes() {
    return shareBytes;
  }

  /** Leaves the runtime (running or queued), handing its share back; others may start. */
  void stop() {
    if (!stopped) {
      stoppedNanos = System.nanoTime();
      stopped = true;
      runtime.remove(this);
    }
  }

  /** Samples every stage's busy rate into its moving average (on a tick). */
  private synchronized void sample() {
    long now = System.nanoTime();
    for (Governed g : operators) {
      if (g.stats != null && now > g.lastSampleNanos) {
        long user = g.stats.userNanos();
        double current = (user - g.lastUserNanos) / (double) (now - g.lastSampleNanos);
        g.rate += RATE_WEIGHT * (current - g.rate);
        g.lastUserNanos = user;
        g.lastSampleNanos = now;
      }
    }
  }

  /**
   * Recomputes every operator's budget from the execution's share (its minimum plus {@code
   * extra}, within its limit) and the bottleneck.
   */
  synchronized void rebalance(long extra) {
    long budgeted = Math.max(minimumBytes,
        Math.min((long) (memoryLimit * (1 - SAFETY_FRACTION)), minimumBytes + extra));
    shareBytes = (long) (budgeted / (1 - SAFETY_FRACTION));
    int n = operators.size();
    if (n == 0) {
      return;
    }
    long minimums = 0;
    for (Governed g : operators) {
      minimums += g.minimumBytes;
    }
    bottleneck = choose(bottleneck);
    if (minimums >= budgeted) {
      // Only where the operators' minimums add up to more than the execution needs at once (the
      // inputs of a union run one after the other): each gets its part of the share.
      for (Governed g : operators) {
        g.account.setBudget((long) (g.minimumBytes * (budgeted / (double) minimums)));
      }
      return;
    }
    long rest = budgeted - minimums;
    long reserved = (long) (rest * RESERVED_FRACTION / n);
    long pool = rest - reserved * n;
    for (Governed g : operators) {
      g.account.setBudget(g.minimumBytes + reserved + (g == bottleneck ? pool : 0));
    }
  }

  /** The busiest stage, keeping {@code current} unless another is busier by the margin. */
  private Governed choose(Governed current) {
    Governed busiest = null;
    for (Governed g : operators) {
      if (g.stats != null && (busiest == null || g.rate > busiest.rate)) {
        busiest = g;
      }
    }
    if (busiest == null) {
      return operators.get(0);
    }
    if (current == null || current.stats == null) {
      return busiest;
    }
    return busiest.rate > current.rate * SWITCH_MARGIN ? busiest : current;
  }
}
