package dev.tributary;

import dev.tributary.LogicalPlan.FlatMap;
import dev.tributary.LogicalPlan.Limit;
import dev.tributary.LogicalPlan.Node;
import dev.tributary.LogicalPlan.OneToOne;
import dev.tributary.LogicalPlan.Source;
import dev.tributary.LogicalPlan.Union;
import dev.tributary.memory.Account;
import dev.tributary.memory.AccountGroup;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.FlatMapRows;
import dev.tributary.operators.Governor;
import dev.tributary.operators.MapBlocks;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.Rebatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
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
            .transform(execution.outputBoundary(plan instanceof Source));
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
    } else if (node instanceof FlatMap f) {
      describe(f.input(), context, lines, depth);
      lines.add(indent + "FlatMapRows FlatMap");
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
      return st.instrument(s.reader().read(account, context, st)
          .subscribeOn(context.ioScheduler()));
    }
    if (node instanceof FlatMap f) {
      Account account = open(f.describe());
      OperatorStats st = track(f.describe(), account);
      return compile(f.input())
          .transform(governor(f.describe(), account, st, f.input() instanceof Source))
          .transform(FlatMapRows.of(f.describe(), f.fn(), account,
              context.effectiveMaxBlockSize()).stats(st));
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
    boolean fedBySource = base instanceof Source;
    for (List<OneToOne> stage : stages(chain, context.operatorFusion())) {
      String name = stageName(stage);
      Account account = open(name);
      OperatorStats stageStats = track(name, account);
      flux = flux.transform(governor(name, account, stageStats, fedBySource));
      fedBySource = false;
      MapBatchesOptions options = stage.get(0).options();
      BlockTransform transform = stage.get(0).transform();
      for (OneToOne next : stage.subList(1, stage.size())) {
        transform = transform.andThen(next.transform());
      }
      if (options.batchSize() > 0) {
        flux = flux.transform(Rebatch.of(options.batchSize(), account));
      }
      MapBlocks op = MapBlocks.of(name, transform, account)
          .ordered(context.preserveOrder())
          .stats(stageStats);
      if (options.concurrency() > 1) {
        op = op.concurrency(options.concurrency(), context.cpuScheduler());
      }
      flux = flux.transform(op);
    }
    return flux;
  }

  /**
   * The governor on the input of the operator owning {@code account} (byte-based, or the
   * count-based baseline when the context turns governance off). It cuts arriving blocks above
   * the target size; blocks straight from a source, above the smaller effective size (so every
   * budget holds several), while operator outputs are cut only above the target, as a copy costs.
   */
  private Governor governor(String name, Account account, OperatorStats stats,
      boolean fedBySource) {
    Governor g = Governor.of(name, account, context.cpuScheduler(), stats).splitAbove(
        fedBySource ? context.effectiveMaxBlockSize() : context.targetMaxBlockSize());
    if (!context.governed()) {
      return g.countBased(DataContext.UNGOVERNED_PREFETCH_BLOCKS);
    }
    resources.govern(account, stats);
    return g;
  }

  /** The boundary to the consumer: blocks handed out are charged to its own governed account. */
  private Function<Flux<Block>, Flux<Block>> outputBoundary(boolean outputFedBySource) {
    Account account = open("Output");
    OperatorStats st = track("Output", account);
    Governor g = governor("Output", account, st, outputFedBySource);
    return flux -> st.instrument(flux.transform(context.governed() ? g.passThrough() : g));
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
