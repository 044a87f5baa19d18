package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.operators.OperatorStats;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Divides an execution's memory into per-operator budgets, and an arena among the executions
 * sharing it.
 *
 * <p>Policy. An execution's share is its memory limit divided by the number of executions running
 * on the same arena (fair share, recomputed as executions start and end), less a {@link
 * #SAFETY_FRACTION} kept unbudgeted to absorb estimation error (an operator's output size is only
 * known once computed). Of the share, {@link #RESERVED_FRACTION} is split evenly between the
 * governed operators, so none starves; the rest, the shared pool, goes to the bottleneck: the
 * operator that has spent the most time in user functions. Budgets are recomputed when an
 * execution starts or ends, and on every tick of the runtime's {@link Ticker} while executions
 * run; governors read them on each decision.
 *
 * <p>The executions sharing an arena are those of one runtime: its {@link Running} set, the
 * budget planner's registry (one per runtime, no process-wide state).
 */
final class ResourceManager {
  /** Fraction of the share no budget includes, absorbing estimate error. */
  static final double SAFETY_FRACTION = 0.1;
  /** Fraction of the budgeted share reserved evenly for every operator. */
  static final double RESERVED_FRACTION = 0.5;
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

    /** Recomputes every running execution's budgets (a tick). */
    void rebalanceAll() {
      running.forEach(ResourceManager::rebalance);
    }
  }

  private final Running runtime;
  private final Arena arena;
  private final long memoryLimit;
  private final List<Governed> operators = new CopyOnWriteArrayList<>();

  private record Governed(Account account, OperatorStats stats) {}

  ResourceManager(Running runtime, Arena arena, long memoryLimit) {
    this.runtime = runtime;
    this.arena = arena;
    this.memoryLimit = Math.min(memoryLimit, arena.limitBytes());
  }

  /** Adds an operator whose budget this manager sets. */
  void govern(Account account, OperatorStats stats) {
    operators.add(new Governed(account, stats));
  }

  /** Joins the runtime's running executions (their shares shrink) and starts rebalancing. */
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

  /** Recomputes every operator's budget from the current fair share and the bottleneck. */
  void rebalance() {
    int n = operators.size();
    if (n == 0) {
      return;
    }
    int executions = Math.max(1, runtime.running.size());
    long share = (long) (Math.min(memoryLimit, arena.limitBytes() / executions)
        * (1 - SAFETY_FRACTION));
    long reserved = (long) (share * RESERVED_FRACTION / n);
    long pool = share - reserved * n;
    Governed bottleneck = operators.get(0);
    for (Governed g : operators) {
      if (g.stats().userNanos() > bottleneck.stats().userNanos()) {
        bottleneck = g;
      }
    }
    for (Governed g : operators) {
      g.account().setBudget(reserved + (g == bottleneck ? pool : 0));
    }
  }
}
