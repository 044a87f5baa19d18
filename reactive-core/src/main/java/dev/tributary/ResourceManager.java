package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.operators.OperatorStats;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Divides an execution's memory into per-operator budgets, and an arena among the executions
 * sharing it.
 *
 * <p>Policy. An execution's share is its memory limit divided by the number of executions running
 * on the same arena (fair share), less a {@link #SAFETY_FRACTION} kept unbudgeted to absorb
 * estimation error (an operator's output size is only known once computed). Of the share, {@link
 * #RESERVED_FRACTION} is split evenly between the governed operators, the source included, so
 * none starves; the rest, the shared pool, goes to the bottleneck: the stage with the highest
 * moving average of its current busy rate (time in user functions per second of wall time, so a
 * stage running four tasks at once can reach 4). A source takes part in the reserve only.
 *
 * <p>Events, not polling: budgets are recomputed when an execution starts or ends (its
 * operators' accounts open before it starts and close after it ends). Rates are sampled on every
 * tick of the runtime's {@link Ticker} (each {@link #REBALANCE_PERIOD}), which ticks only while
 * some execution runs; the bottleneck moves only when another stage's rate passes the current
 * one's by {@link #SWITCH_MARGIN}, so budgets, and the room signals a raise sends, change only
 * when the bottleneck really moved.
 *
 * <p>The executions sharing an arena are those of one runtime: its {@link Running} set, the
 * budget planner's registry (one per runtime, no process-wide state).
 */
final class ResourceManager {
  /** Fraction of the share no budget includes, absorbing estimate error. */
  static final double SAFETY_FRACTION = 0.1;
  /** Fraction of the budgeted share reserved evenly for every operator. */
  static final double RESERVED_FRACTION = 0.5;
  /** How often busy rates are sampled while an execution runs: the runtime's ticker period. */
  static final Duration REBALANCE_PERIOD = Ticker.PERIOD;
  /** Weight of the newest sample in each stage's moving average of its busy rate. */
  static final double RATE_WEIGHT = 0.3;
  /** How much busier than the current bottleneck a stage must be to take the pool over. */
  static final double SWITCH_MARGIN = 1.1;

  /** The executions running in one runtime, whose budgets are planned together. */
  static final class Running {
    private final Set<ResourceManager> running = ConcurrentHashMap.newKeySet();
    private final Runnable onJoin;

    /** A registry that calls {@code onJoin} when an execution joins (to wake the ticker). */
    Running(Runnable onJoin) {
      this.onJoin = onJoin;
    }

    /** Whether any execution runs. */
    boolean active() {
      return !running.isEmpty();
    }

    /** Recomputes every running execution's budgets (an execution started or ended). */
    void rebalanceAll() {
      running.forEach(ResourceManager::rebalance);
    }

    /** Samples every running execution's busy rates and recomputes its budgets (a tick). */
    void sampleAll() {
      running.forEach(ResourceManager::sampleAndRebalance);
    }
  }

  private final Running runtime;
  private final Arena arena;
  private final long memoryLimit;
  private final List<Governed> operators = new CopyOnWriteArrayList<>();
  private Governed bottleneck;

  /** One governed operator; {@code stats} is null for a source (no user time to measure). */
  private static final class Governed {
    final Account account;
    final OperatorStats stats;
    long lastUserNanos;
    long lastSampleNanos = System.nanoTime();
    double rate;

    Governed(Account account, OperatorStats stats) {
      this.account = account;
      this.stats = stats;
    }
  }

  ResourceManager(Running runtime, Arena arena, long memoryLimit) {
    this.runtime = runtime;
    this.arena = arena;
    this.memoryLimit = Math.min(memoryLimit, arena.limitBytes());
  }

  /** Adds a stage (or the consumer boundary) whose budget this manager sets. */
  void govern(Account account, OperatorStats stats) {
    operators.add(new Governed(account, stats));
  }

  /** Adds a source: a reserved share, never the pool. */
  void governSource(Account account) {
    operators.add(new Governed(account, null));
  }

  /** Joins the runtime's running executions (their shares shrink) and starts sampling. */
  void start() {
    runtime.running.add(this);
    runtime.rebalanceAll();
    runtime.onJoin.run();
  }

  /** Leaves the runtime's running executions, handing its share back to the others. */
  void stop() {
    if (runtime.running.remove(this)) {
      runtime.rebalanceAll();
    }
  }

  /** Samples every stage's busy rate into its moving average, then recomputes budgets. */
  synchronized void sampleAndRebalance() {
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
    rebalance();
  }

  /** Recomputes every operator's budget from the current fair share and the bottleneck. */
  synchronized void rebalance() {
    int n = operators.size();
    if (n == 0) {
      return;
    }
    int executions = Math.max(1, runtime.running.size());
    long share = (long) (Math.min(memoryLimit, arena.limitBytes() / executions)
        * (1 - SAFETY_FRACTION));
    long reserved = (long) (share * RESERVED_FRACTION / n);
    long pool = share - reserved * n;
    bottleneck = choose(bottleneck);
    for (Governed g : operators) {
      g.account.setBudget(reserved + (g == bottleneck ? pool : 0));
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
