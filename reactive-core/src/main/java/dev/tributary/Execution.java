package dev.tributary;

import dev.tributary.LogicalPlan.Limit;
import dev.tributary.LogicalPlan.Node;
import dev.tributary.LogicalPlan.OneToOne;
import dev.tributary.LogicalPlan.Source;
import dev.tributary.LogicalPlan.Union;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.CoalesceBlocks;
import dev.tributary.operators.Governor;
import dev.tributary.operators.MapBlocks;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.Rebatch;
import dev.tributary.operators.SplitBlocks;
import dev.tributary.operators.StageLoad;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;

/**
 * The physical planner and executor: turns a logical plan into a Reactor pipeline of operators,
 * one account and one set of counters per physical operator, and reports stats when it ends.
 *
 * <p>Fusion: a run of adjacent one-to-one operators becomes one stage; a new stage starts at an
 * operator with its own batch size or concurrency (following default operators join it), or at
 * every operator when {@link DataContext#operatorFusion()} is off.
 */
final class Execution {
  private final DataContext context;
  private final Arena arena;
  private final List<Account> accounts = new java.util.concurrent.CopyOnWriteArrayList<>();
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
    this.resources = new ResourceManager(arena, context.memoryLimit());
  }

  /** A cold flux that executes {@code plan} on each subscription and reports its stats. */
  static Flux<Block> flux(Node plan, DataContext fallback, Consumer<ExecutionStats> onStats) {
    return flux(plan, fallback, onStats, e -> { });
  }

  /** Like {@link #flux(Node, DataContext, Consumer)}, handing each execution to {@code onStart}. */
  static Flux<Block> flux(Node plan, DataContext fallback, Consumer<ExecutionStats> onStats,
      Consumer<Execution> onStart) {
    return Flux.deferContextual(view -> {
      Execution execution = new Execution(DataContext.from(view, fallback));
      onStart.accept(execution);
      Flux<Block> out;
      try {
        out = execution.compile(plan)
            .transform(execution.outputBoundary(plan));
        if (execution.context.governed()) {
          execution.resources.start();
        }
        if (execution.context.enableProgressBars()) {
          execution.progress = Progress.start(
              () -> execution.stats.stream().map(OperatorStats::snapshot).toList(),
              () -> Progress.memory(execution.accounts.stream().mapToLong(Account::heldBytes)
                  .sum(), execution.context.memoryLimit()));
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

  /** The physical plan: one line per operator, source first. */
  static String explainPhysical(Node plan, DataContext context) {
    List<String> lines = new ArrayList<>();
    describe(plan, context, lines, 0);
    return String.join("\n", lines) + "\n";
  }

  private static void describe(Node node, DataContext context, List<String> lines, int depth) {
    String indent = "  ".repeat(depth);
    if (node instanceof Source s) {
      lines.add(indent + "Source " + s.name());
    } else if (node instanceof Limit l) {
      describe(l.input(), context, lines, depth);
      lines.add(indent + "Limit[" + l.rows() + "]");
    } else if (node instanceof Union u) {
      lines.add(indent + "Union of:");
      u.inputs().forEach(i -> describe(i, context, lines, depth + 1));
    } else {
      List<OneToOne> chain = new ArrayList<>();
      Node source = chain(node, chain);
      describe(source, context, lines, depth);
      for (List<OneToOne> stage : stages(chain, context.operatorFusion())) {
        lines.add(indent + "MapBlocks " + stageName(stage)
            + (stage.size() > 1 ? "  (fused " + stage.size() + " operators)" : ""));
      }
    }
  }

  private Flux<Block> compile(Node node) {
    if (node instanceof Source s) {
      Account account = open(s.name());
      OperatorStats st = track(s.name(), account);
      if (context.governed()) {
        resources.governSource(account);
      }
      return st.instrument(s.reader().read(account, context, st)
          .subscribeOn(context.ioScheduler()));
    }
    if (node instanceof Limit l) {
      return compile(l.input()).transform(dev.tributary.operators.Limit.of(l.rows()));
    }
    if (node instanceof Union u) {
      return dev.tributary.operators.Union.of(u.inputs().stream().map(this::compile).toList());
    }
    List<OneToOne> chain = new ArrayList<>();
    Node base = chain(node, chain);
    Flux<Block> flux = compile(base);
    Source fedBy = base instanceof Source s ? s : null;
    for (List<OneToOne> stage : stages(chain, context.operatorFusion())) {
      String name = stageName(stage);
      Account account = open(name);
      OperatorStats stageStats = track(name, account);
      MapBatchesOptions options = stage.get(0).options();
      BlockTransform transform = stage.get(0).transform();
      for (OneToOne next : stage.subList(1, stage.size())) {
        transform = transform.andThen(next.transform());
      }
      MapBlocks op = MapBlocks.of(name, transform, account)
          .ordered(context.preserveOrder())
          .stats(stageStats);
      if (options.concurrency() > 1) {
        op = op.concurrency(options.concurrency(), context.cpuScheduler());
      }
      StageLoad load = op.load();
      flux = flux.transform(boundary(name, account, stageStats, fedBy,
          governor -> governor.feeding(load)));
      fedBy = null;
      if (options.batchSize() > 0) {
        flux = flux.transform(Rebatch.of(options.batchSize(), account));
      }
      flux = flux.transform(op);
    }
    return flux;
  }

  /**
   * The boundary into the operator owning {@code account}: its governor (byte-based, or the
   * count-based baseline when the context turns governance off), then block sizing. Blocks straight
   * from a source whose block count the user did not fix are coalesced up to the target minimum;
   * blocks are cut above the target maximum, blocks straight from a source above the smaller
   * effective maximum (so every budget holds several; operator outputs only above the target, as
   * a copy costs).
   */
  private Function<Flux<Block>, Flux<Block>> boundary(String name, Account account,
      OperatorStats stats, Source fedBy, UnaryOperator<Governor> role) {
    Governor governor = role.apply(Governor.of(name, account, context.cpuScheduler(), stats));
    if (context.governed()) {
      resources.govern(account, stats);
    } else {
      governor = governor.countBased(DataContext.UNGOVERNED_PREFETCH_BLOCKS);
    }
    Function<Flux<Block>, Flux<Block>> boundary = governor;
    if (fedBy != null && !fedBy.blockCountFixed()) {
      // Coalesced blocks stay below half the maximum, so that splitting never undoes them.
      long min = Math.min(context.targetMinBlockSize(), context.effectiveMaxBlockSize() / 2);
      boundary = boundary.andThen(CoalesceBlocks.below(Math.max(1, min), account));
    }
    return boundary.andThen(SplitBlocks.above(fedBy != null
        ? context.effectiveMaxBlockSize() : context.targetMaxBlockSize(), account));
  }

  /** The boundary to the consumer: blocks handed out are charged to its own governed account. */
  private Function<Flux<Block>, Flux<Block>> outputBoundary(Node plan) {
    Account account = open("Output");
    OperatorStats st = track("Output", account);
    Function<Flux<Block>, Flux<Block>> boundary = boundary("Output", account, st,
        plan instanceof Source s ? s : null, Governor::passThrough);
    return flux -> st.instrument(flux.transform(boundary));
  }

  /** Collects the one-to-one operators above the first other node, source-side first. */
  private static Node chain(Node node, List<OneToOne> chain) {
    Node current = node;
    while (current instanceof OneToOne o) {
      chain.add(0, o);
      current = o.input();
    }
    return current;
  }

  private static List<List<OneToOne>> stages(List<OneToOne> chain, boolean fuse) {
    List<List<OneToOne>> stages = new ArrayList<>();
    for (OneToOne op : chain) {
      if (stages.isEmpty() || !fuse || !op.options().isDefaultStage()) {
        stages.add(new ArrayList<>());
      }
      stages.get(stages.size() - 1).add(op);
    }
    return stages;
  }

  private static String stageName(List<OneToOne> stage) {
    return stage.stream().map(OneToOne::describe).collect(Collectors.joining("->"));
  }

  private Account open(String name) {
    Account account = arena.openAccount(name);
    accounts.add(account);
    return account;
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
      boolean empty = accounts.stream().allMatch(a -> a.heldBytes() == 0);
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
        arena.peakBytes(), arena.limitBytes());
    resources.stop();
    if (progress != null) {
      progress.stop();
    }
    accounts.forEach(Account::closeWhenEmpty);
    return result;
  }
}
