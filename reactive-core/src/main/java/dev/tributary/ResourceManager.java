package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.operators.OperatorStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Divides an execution's memory into per-operator budgets, and an arena among the executions
 * sharing it.
 *
 * <p>Policy. An execution's share is its memory limit divided by the number of executions running
 * on the same arena (fair share, recomputed as executions start and end), less a {@link
 * #SAFETY_FRACTION} kept unbudgeted to absorb estimation error (an operator's output size is only
 * known once computed). Of the share, {@link #RESERVED_FRACTION} is split evenly between the
 * governed operators, so none starves; the rest, the shared pool, goes to the bottleneck: the
 * operator that has spent the most time in user functions. Budgets are recomputed every {@link
 * #REBALANCE_PERIOD} while the execution runs; governors read them on each decision.
 */
final class ResourceManager {
  /** Fraction of the share no budget includes, absorbing estimate error. */
  static final double SAFETY_FRACTION = 0.1;
  /** Fraction of the budgeted share reserved evenly for every operator. */
  static final double RESERVED_FRACTION = 0.5;
  /** How often budgets are recomputed while an execution runs. */
  static final Duration REBALANCE_PERIOD = Duration.ofMillis(50);

  private static final Map<Arena, Set<ResourceManager>> RUNNING = new ConcurrentHashMap<>();
  /**
   * One process-wide ticker rebalances every running execution. It is never disposed: disposing
   * a periodic task from a pipeline thread may take a lock, which non-blocking threads must not.
   */
  private static final AtomicBoolean TICKING = new AtomicBoolean();

  private final Arena arena;
  private final long memoryLimit;
  private final List<Governed> operators = new CopyOnWriteArrayList<>();

  private record Governed(Account account, OperatorStats stats) {}

  ResourceManager(Arena arena, long memoryLimit) {
    this.arena = arena;
    this.memoryLimit = Math.min(memoryLimit, arena.limitBytes());
  }

  /** Adds an operator whose budget this manager sets. */
  void govern(Account account, OperatorStats stats) {
    operators.add(new Governed(account, stats));
  }

  /** Joins the arena's running executions and starts rebalancing. */
  void start() {
    RUNNING.computeIfAbsent(arena, a -> ConcurrentHashMap.newKeySet()).add(this);
    rebalanceArena();
    if (TICKING.compareAndSet(false, true)) {
      Flux.interval(REBALANCE_PERIOD, REBALANCE_PERIOD, Schedulers.parallel())
          .subscribe(tick -> RUNNING.values().forEach(running ->
              running.forEach(ResourceManager::rebalance)));
    }
  }

  /** Leaves the arena, handing its share back to the other executions. */
  void stop() {
    RUNNING.computeIfPresent(arena, (a, running) -> {
      running.remove(this);
      return running.isEmpty() ? null : running;
    });
    rebalanceArena();
  }

  private void rebalanceArena() {
    Set<ResourceManager> running = RUNNING.get(arena);
    if (running != null) {
      running.forEach(ResourceManager::rebalance);
    }
  }

  /** Recomputes every operator's budget from the current fair share and the bottleneck. */
  void rebalance() {
    int n = operators.size();
    if (n == 0) {
      return;
    }
    Set<ResourceManager> running = RUNNING.get(arena);
    int executions = Math.max(1, running == null ? 1 : running.size());
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
