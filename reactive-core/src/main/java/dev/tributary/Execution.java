package dev.tributary;

import dev.tributary.exec.PhysicalPlan;
import dev.tributary.exec.PhysicalPlan.FlatMapStage;
import dev.tributary.exec.PhysicalPlan.LimitStage;
import dev.tributary.exec.PhysicalPlan.MapStage;
import dev.tributary.exec.PhysicalPlan.OutputStage;
import dev.tributary.exec.PhysicalPlan.ReadStage;
import dev.tributary.exec.PhysicalPlan.UnionStage;
import dev.tributary.exec.PhysicalPlanner;
import dev.tributary.memory.Account;
import dev.tributary.memory.AccountGroup;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.operators.CoalesceBlocks;
import dev.tributary.operators.FlatMapRows;
import dev.tributary.operators.Governor;
import dev.tributary.operators.MapBlocks;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.Rebatch;
import dev.tributary.operators.SplitBlocks;
import dev.tributary.operators.StageLoad;
import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.Optimizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;

/**
 * The executor: optimizes a logical plan ({@link Optimizer}), cuts it into stages ({@link
 * PhysicalPlanner}) and runs that physical plan as a Reactor pipeline of operators, one account
 * and one set of counters per stage, and reports stats when it ends.
 */
final class Execution {
  private final DataContext context;
  private final Arena arena;
  /** The accounts of this execution's operators; their combined peak is the execution's. */
  private final AccountGroup accounts;
  private final List<OperatorStats> stats = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private final ResourceManager resources;
  /** Live progress lines, when the context asks for them (else null). */
  private Progress progress;
  /** Whether the execution ended by cancel or error (work may still be winding down). */
  private volatile boolean endedEarly;
  /** How long accounts must stay empty after an early end before a blocking consumer returns. */
  static final Duration QUIET_PERIOD = Duration.ofMillis(20);

  private Execution(DataContext context) {
    this.context = context;
    this.arena = context.arena();
    this.accounts = new AccountGroup(arena);
    this.resources = new ResourceManager(arena, context.memoryLimit());
  }

  /** A cold flux that executes {@code plan} on each subscription and reports its stats. */
  static Flux<Block> flux(LogicalPlan plan, DataContext fallback,
      Consumer<ExecutionStats> onStats) {
    return flux(plan, fallback, onStats, e -> { });
  }

  /**
   * Like {@link #flux(LogicalPlan, DataContext, Consumer)}, handing each execution to {@code
   * onStart}.
   */
  static Flux<Block> flux(LogicalPlan plan, DataContext fallback, Consumer<ExecutionStats> onStats,
      Consumer<Execution> onStart) {
    return Flux.deferContextual(view -> {
      Execution execution = new Execution(DataContext.from(view, fallback));
      onStart.accept(execution);
      Flux<Block> out;
      try {
        out = execution.compile(physical(plan, execution.context));
        if (execution.context.governed()) {
          execution.resources.start();
        }
        if (execution.context.enableProgressBars()) {
          execution.progress = Progress.start(
              () -> execution.stats.stream().map(OperatorStats::snapshot).toList(),
              () -> Progress.memory(execution.accounts.heldBytes(),
                  execution.context.memoryLimit()));
        }
      } catch (RuntimeException e) {
        execution.finish();
        return Flux.error(e);
      }
      // Report before the terminal signal reaches the subscriber, so a blocking consumer sees
      // the stats as soon as it returns.
      AtomicBoolean reported = new AtomicBoolean();
      Runnable report = () -> {
        if (reported.compareAndSet(false, true)) {
          onStats.accept(execution.finish());
        }
      };
      return out
          .doOnError(e -> execution.endedEarly = true)
          .doOnTerminate(report)
          .doOnCancel(() -> {
            execution.endedEarly = true;
            report.run();
          });
    });
  }

  /**
   * The physical plan {@code plan} runs as under {@code context}: optimized unless the context
   * turns the optimizer off, then cut into stages (fused unless it turns fusion off).
   */
  static PhysicalPlan physical(LogicalPlan plan, DataContext context) {
    return PhysicalPlanner.plan(optimized(plan, context), context.operatorFusion());
  }

  /** {@code plan} as the optimizer rewrites it, or unchanged when the context turns it off. */
  static LogicalPlan optimized(LogicalPlan plan, DataContext context) {
    return context.optimizer() ? Optimizer.optimize(plan) : plan;
  }

  /** The stage's pipeline: its inputs' first, then its own account, governor and operator. */
  private Flux<Block> compile(PhysicalPlan node) {
    if (node instanceof ReadStage r) {
      Account account = open(r.name());
      OperatorStats st = track(r.name(), account);
      if (context.governed()) {
        resources.governSource(account);
      }
      return st.instrument(r.read().source()
          .read(r.read().pushdown(), account, context.readSettings(), st)
          .subscribeOn(context.ioScheduler()));
    }
    if (node instanceof LimitStage l) {
      return compile(l.input()).transform(dev.tributary.operators.Limit.of(l.rows()));
    }
    if (node instanceof UnionStage u) {
      return dev.tributary.operators.Union.of(u.inputs().stream().map(this::compile).toList());
    }
    Flux<Block> input = compile(node.inputs().get(0));
    Account account = open(node.name());
    OperatorStats st = track(node.name(), account);
    if (node instanceof FlatMapStage f) {
      FlatMapRows op = FlatMapRows.of(f.name(), f.node().fn(), account,
          context.effectiveMaxBlockSize()).stats(st);
      StageLoad load = op.load();
      return input.transform(boundary(f.name(), account, st, f.fedBySource(), f.coalesces(),
              governor -> governor.feeding(load)))
          .transform(op);
    }
    if (node instanceof MapStage m) {
      MapBlocks op = MapBlocks.of(m.name(), m.transform(), account)
          .ordered(context.preserveOrder())
          .stats(st);
      if (m.concurrency() > 1) {
        op = op.concurrency(m.concurrency(), context.cpuScheduler());
      }
      StageLoad load = op.load();
      Flux<Block> flux = input.transform(boundary(m.name(), account, st, m.fedBySource(),
          m.coalesces(), governor -> governor.feeding(load)));
      if (m.rebatchRows() > 0) {
        flux = flux.transform(Rebatch.of(m.rebatchRows(), account));
      }
      return flux.transform(op);
    }
    OutputStage o = (OutputStage) node;
    // Blocks handed out are charged to the boundary's account until the consumer takes them.
    Flux<Block> handed = st.instrument(input.transform(boundary(o.name(), account, st,
        o.fedBySource(), o.coalesces(), Governor::passThrough)));
    return o.sink() == null ? handed : o.sink().apply(handed).thenMany(Flux.<Block>empty());
  }

  /**
   * The boundary into the operator owning {@code account}: its governor (byte-based, or the
   * count-based baseline when the context turns governance off), then block sizing. Blocks straight
   * from a read whose block count the user did not fix ({@code coalesce}) are coalesced up to the
   * target minimum; blocks are cut above the target maximum, blocks straight from a read ({@code
   * fedBySource}) above the smaller effective maximum (so every budget holds several; operator
   * outputs only above the target, as a copy costs).
   */
  private Function<Flux<Block>, Flux<Block>> boundary(String name, Account account,
      OperatorStats stats, boolean fedBySource, boolean coalesce, UnaryOperator<Governor> role) {
    Governor governor = role.apply(Governor.of(name, account, context.cpuScheduler(), stats));
    if (context.governed()) {
      resources.govern(account, stats);
    } else {
      governor = governor.countBased(DataContext.UNGOVERNED_PREFETCH_BLOCKS);
    }
    Function<Flux<Block>, Flux<Block>> boundary = governor;
    if (coalesce) {
      // Coalesced blocks stay below half the maximum, so that splitting never undoes them.
      long min = Math.min(context.targetMinBlockSize(), context.effectiveMaxBlockSize() / 2);
      boundary = boundary.andThen(CoalesceBlocks.below(Math.max(1, min), account));
    }
    return boundary.andThen(SplitBlocks.above(fedBySource
        ? context.effectiveMaxBlockSize() : context.targetMaxBlockSize(), account));
  }

  private Account open(String name) {
    return accounts.open(name);
  }

  private OperatorStats track(String name, Account account) {
    OperatorStats st = new OperatorStats(name).account(account);
    stats.add(st);
    return st;
  }

  /**
   * Waits (on the calling thread, which must be allowed to block) until the execution's
   * operators hold no memory: after an error or cancel, workers on other threads may still be
   * releasing blocks when the terminal signal arrives.
   */
  void awaitReleased(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    // After a cancel or error, a source or task on another thread may still be finishing the
    // block it was making when the signal came: wait until the accounts stay empty a moment.
    long quiet = endedEarly ? QUIET_PERIOD.toNanos() : 0;
    long emptySince = -1;
    while (System.nanoTime() < deadline) {
      boolean empty = accounts.heldBytes() == 0;
      long now = System.nanoTime();
      if (!empty) {
        emptySince = -1;
      } else if (emptySince < 0) {
        emptySince = now;
      }
      if (empty && now - emptySince >= quiet) {
        return;
      }
      LockSupport.parkNanos(100_000);
    }
  }

  private ExecutionStats finish() {
    ExecutionStats result = new ExecutionStats(
        stats.stream().map(OperatorStats::snapshot).toList(), System.nanoTime() - startNanos,
        accounts.peakBytes(), arena.limitBytes());
    resources.stop();
    if (progress != null) {
      progress.stop();
    }
    accounts.accounts().forEach(Account::closeWhenEmpty);
    return result;
  }
}
