package dev.tributary;

import dev.tributary.exec.PhysicalPlan.AggregateStage;
import dev.tributary.exec.PhysicalPlan.ExchangeStage;
import dev.tributary.exec.PhysicalPlan.FlatMapStage;
import dev.tributary.exec.PhysicalPlan.JoinStage;
import dev.tributary.exec.PhysicalPlan.LimitStage;
import dev.tributary.exec.PhysicalPlan.MapGroupsStage;
import dev.tributary.exec.PhysicalPlan.MapStage;
import dev.tributary.exec.PhysicalPlan.OutputStage;
import dev.tributary.exec.PhysicalPlan.PoolStage;
import dev.tributary.exec.PhysicalPlan.ReadStage;
import dev.tributary.exec.PhysicalPlan.UnionStage;
import dev.tributary.exec.PhysicalPlan.ZipStage;
import dev.tributary.exec.PhysicalPlan;
import dev.tributary.exec.PhysicalPlanner;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ExecutionScope;
import dev.tributary.memory.MemoryLeakException;
import dev.tributary.operators.CoalesceBlocks;
import dev.tributary.operators.FlatMapRows;
import dev.tributary.operators.ErroredBlocks;
import dev.tributary.operators.Governor;
import dev.tributary.operators.MapBlocks;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.Rebatch;
import dev.tributary.operators.SplitBlocks;
import dev.tributary.operators.StageLoad;
import dev.tributary.operators.WaitReason;
import dev.tributary.operators.WorkerPool;
import dev.tributary.operators.aggregate.HashAggregate;
import dev.tributary.operators.aggregate.MapGroups;
import dev.tributary.operators.exchange.ExternalSort;
import dev.tributary.operators.exchange.LocalExchange;
import dev.tributary.operators.exchange.RandomShuffle;
import dev.tributary.operators.exchange.RandomizeBlockOrder;
import dev.tributary.operators.join.HashJoin;
import dev.tributary.plan.BlockShuffle;
import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.Optimizer;
import dev.tributary.plan.Read;
import dev.tributary.plan.Shuffle;
import dev.tributary.plan.Sort;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The executor: optimizes a logical plan ({@link Optimizer}), cuts it into stages ({@link
 * PhysicalPlanner}) and runs that physical plan as a Reactor pipeline of operators, one account
 * and one set of counters per stage, and reports stats when it ends.
 *
 * <p>Life: an execution runs in its runtime, in an {@link ExecutionScope} capped at its context's
 * memory limit, its accounts below it; its threads come from the runtime's schedulers, counted by
 * {@link ExecutionWork}. It ends when its stream has terminated (or its subscriber abandoned it)
 * and no task of it is left: then its scope closes, releasing and reporting what its operators
 * still hold, at once. Consumers inside Tributary ({@code count}, {@code takeAll}, the writers)
 * complete only then, so they return with every byte given back.
 */
final class Execution {
  /** The operator name leak reports give for blocks handed to a {@code toFlux()} subscriber. */
  static final String OUTPUT = PhysicalPlanner.OUTPUT;
  /**
   * The share of the memory limit an exchange holds before it spills: the rest is for the
   * stages around it (its input's governor, its output's consumer).
   */
  static final double EXCHANGE_SHARE = 0.25;
  /** The least an exchange holds, so that a tiny limit still makes runs of some size. */
  static final long EXCHANGE_MIN_BUDGET = 64 * dev.tributary.memory.Bytes.KiB;
  /** Partitions of a random shuffle; each must fit the exchange's share when read back. */
  static final int SHUFFLE_PARTITIONS = 64;
  /** The role of a governor with no transform behind it (see {@link #boundary}). */
  private static final UnaryOperator<Governor> PASS_THROUGH = Governor::passThrough;

  private final TributaryRuntime runtime;
  private final DataContext context;
  private final String name;
  private final ExecutionScope scope;
  private final ExecutionWork work = new ExecutionWork(this::ended);
  private final Scheduler cpu;
  private final Scheduler io;
  /** The blocks its user functions may fail on, shared by its one-to-one stages. */
  private final ErroredBlocks errored;
  private final List<OperatorStats> stats = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private final ResourceManager resources;
  private final WorkingSet workingSet;
  private final Sinks.Empty<Void> end = Sinks.empty();
  /** The stats, taken once when the stream ends. */
  private ExecutionStats result;
  /** Live progress lines, when the context asks for them (else null). */
  private Progress progress;
  /** Whether a consumer inside Tributary waits for the end (and receives the leak). */
  private volatile boolean awaited;
  /** Whether the end has been reached (leaks found later come from the cleaner). */
  private volatile boolean over;
  /** A leak found when the scope closed, for the consumer that waits for the end. */
  private volatile MemoryLeakException leak;
  /** Whether the stream terminated (or was abandoned): only the winding down remains. */
  private volatile boolean stopped;
  /** Stops the stream (the runtime closing); held weakly, see {@link #run}. */
  private volatile WeakReference<Sinks.Empty<Void>> stopSwitch = new WeakReference<>(null);
  /** Whether the runtime stopped the stream. */
  private volatile boolean interrupted;
  /** What monitoring sees, once the operators are compiled (else null). */
  private volatile RunningExecution view;

  Execution(TributaryRuntime runtime, DataContext requested, String name) {
    this.runtime = runtime;
    // The context's limit caps this execution inside the runtime's arena, never beyond it.
    this.context = requested.memoryLimit() <= runtime.memoryLimit() ? requested
        : requested.withMemoryLimit(runtime.memoryLimit());
    this.name = name;
    this.scope = runtime.arena().openScope(name, context.memoryLimit(), this::leaked);
    this.cpu = work.track(runtime.cpuScheduler());
    this.io = work.track(runtime.ioScheduler());
    this.resources = new ResourceManager(runtime.running(), context.memoryLimit());
    this.workingSet = new WorkingSet(context.effectiveMaxBlockSize(), EXCHANGE_MIN_BUDGET);
    this.errored = ErroredBlocks.allow(context.maxErroredBlocks());
  }

  /**
   * A cold publisher that executes {@code plan} on each subscription, in the runtime and context
   * the subscriber's Reactor context names (else the fallbacks), hands the governed blocks to
   * {@code consumer} and reports the stats to {@code onStats} before the blocks' terminal signal.
   */
  static <T> Flux<T> run(LogicalPlan plan, Supplier<TributaryRuntime> fallbackRuntime,
      DataContext fallback,
      Consumer<ExecutionStats> onStats, Consumer<Execution> onStart,
      BiFunction<Execution, Flux<Block>, ? extends Publisher<T>> consumer) {
    return Flux.deferContextual(view -> {
      TributaryRuntime runtime = view.hasKey(TributaryRuntime.CONTEXT_KEY)
          ? view.get(TributaryRuntime.CONTEXT_KEY) : fallbackRuntime.get();
      Execution execution = runtime.open(summary(plan), DataContext.from(view, fallback));
      onStart.accept(execution);
      Flux<T> out;
      try {
        PhysicalPlan physical = physical(plan, execution.context);
        execution.admit(physical);
        Flux<Block> blocks = execution.compile(physical);
        execution.view = new RunningExecution(execution.name, execution, execution.stats);
        runtime.started(execution.view);
        if (execution.context.enableProgressBars()) {
          execution.progress = runtime.progress().start(
              () -> execution.stats.stream().map(OperatorStats::snapshot).toList(),
              () -> execution.resources.queued()
                  ? Progress.queued(execution.queuedNanos(), execution.minimumBytes()) : "",
              () -> Progress.memory(execution.scope.heldBytes(),
                  execution.context.memoryLimit()));
        }
        // Report before the terminal signal reaches the consumer, so a blocking consumer sees
        // the stats as soon as it returns.
        AtomicBoolean reported = new AtomicBoolean();
        Runnable report = () -> {
          if (reported.compareAndSet(false, true)) {
            onStats.accept(execution.finish());
          }
        };
        // The consumer subscribes once the execution is admitted (at once when memory allows).
        out = execution.resources.admission(execution.cpu, execution::queued,
                execution::dequeued)
            .thenMany(consumer.apply(execution, blocks
                .doOnTerminate(report)
                .doOnCancel(report)));
      } catch (RuntimeException e) {
        execution.finish();
        execution.work.end();
        return Flux.error(e);
      }
      // Reachable only through the subscriber chain: once the chain is garbage without having
      // terminated (a subscriber dropped mid-way with nothing of the execution scheduled), the
      // execution is abandoned and ends.
      Object chain = new Object();
      TributaryRuntime.ABANDONED.register(chain, execution::abandoned);
      // The runtime stops a running execution when it closes. It holds the switch weakly, as
      // nothing outside the chain may keep the chain reachable.
      Sinks.Empty<Void> stopSwitch = Sinks.empty();
      execution.stopSwitch = new WeakReference<>(stopSwitch);
      return toConsumer(out, stopSwitch.asMono(), Mono.defer(() -> execution.interrupted
              ? Mono.error(new IllegalStateException("runtime '" + runtime.name()
                  + "' closed while execution '" + execution.name + "' ran"))
              : Mono.empty()),
          () -> {
            Reference.reachabilityFence(chain);
            execution.stop();
          });
    });
  }

  /**
   * The consumer's end of an execution's stream: it stops when {@code stop} fires (the runtime
   * closes), then {@code afterStop} follows (the error naming the runtime), and {@code onEnd}
   * runs once it terminated or was cancelled.
   *
   * <p>A block that races the consumer's cancel is released here. Once cancelled, the stop's
   * serializer hands what still arrives to the discard hook instead of the consumer: without
   * one, such a block (already handed out, so the scope does not take it back) held its memory
   * until a collector found it unreachable, past the execution's end (a spilling sort read by
   * {@code iterator()} and closed after its first block, about one run in ten).
   */
  static <T> Flux<T> toConsumer(Flux<T> out, Mono<Void> stop, Mono<T> afterStop,
      Runnable onEnd) {
    return out
        .takeUntilOther(stop)
        .concatWith(afterStop)
        .doFinally(signal -> onEnd.run())
        .doOnDiscard(Block.class, Block::release);
  }

  /**
   * {@link #run} for a consumer of one value, completing only when the execution has ended: its
   * scope closed and every byte given back. With {@code failOnLeak}, a leak the end found fails
   * it (or is attached to its error).
   */
  static <T> Mono<T> runToEnd(LogicalPlan plan, Supplier<TributaryRuntime> fallbackRuntime,
      DataContext fallback,
      Consumer<ExecutionStats> onStats,
      BiFunction<Execution, Flux<Block>, Mono<T>> consumer) {
    return Mono.defer(() -> {
      Execution[] started = new Execution[1];
      return run(plan, fallbackRuntime, fallback, onStats, e -> {
        e.awaited();
        started[0] = e;
      }, consumer)
          .singleOrEmpty()
          .materialize()
          .flatMap(signal -> started[0] == null ? Mono.just(signal)
              : started[0].end.asMono().then(Mono.fromCallable(() -> started[0].afterEnd(signal))))
          .dematerialize();
    });
  }

  /** Marks the execution as awaited by a consumer inside Tributary, which receives its leak. */
  void awaited() {
    awaited = true;
  }

  /**
   * Completes once the execution ended; with {@code failOnLeak} and a leak found by then, fails
   * with the leak.
   */
  Mono<Void> whenEnded() {
    return end.asMono().then(Mono.defer(() -> leak != null && runtime.failOnLeak()
        ? Mono.error(leak) : Mono.empty()));
  }

  /** The signal a consumer gets once the execution ended: with the leak, if one was found. */
  private <T> Signal<T> afterEnd(Signal<T> signal) {
    MemoryLeakException found = leak;
    if (found == null) {
      return signal;
    }
    if (signal.isOnError()) {
      signal.getThrowable().addSuppressed(found);
      return signal;
    }
    return runtime.failOnLeak() ? Signal.error(found) : signal;
  }

  /**
   * Sets the execution's minimum working set from {@code plan} ({@link WorkingSet}), the memory
   * admission reserves for it.
   *
   * @throws WorkingSetTooLargeException if the minimum alone exceeds the execution's limit
   */
  private void admit(PhysicalPlan plan) {
    long minimum = workingSet.of(plan);
    if (minimum > context.memoryLimit()) {
      throw new WorkingSetTooLargeException(name, minimum, context.memoryLimit(),
          context.effectiveMaxBlockSize());
    }
    resources.minimum(minimum, () -> {
      long blocks = 0;
      for (OperatorStats s : stats) {
        blocks += s.blocksOut();
      }
      return blocks;
    }, () -> !stats.isEmpty()
        && stats.get(stats.size() - 1).waiting() == WaitReason.DOWNSTREAM);
  }

  /** The execution waits in the admission queue: its operators say so. */
  private void queued() {
    long now = System.nanoTime();
    stats.forEach(s -> s.waitBegins(WaitReason.ADMISSION, now));
  }

  /** The execution's wait in the admission queue ended (admitted or stopped). */
  private void dequeued() {
    long now = System.nanoTime();
    stats.forEach(s -> s.waitEnds(WaitReason.ADMISSION, now));
  }

  /** Whether the execution waits in its runtime's admission queue for memory now. */
  boolean queuedForMemory() {
    return resources.queued();
  }

  /** How long the execution waited (so far) in the admission queue for memory (nanoseconds). */
  long queuedNanos() {
    return resources.queuedNanos();
  }

  /** The least memory the execution needs to make progress (bytes), see {@link WorkingSet}. */
  long minimumBytes() {
    return resources.minimumBytes();
  }

  /** The execution's name: its runtime, number and plan. */
  String name() {
    return name;
  }

  /** The bytes the execution's scope holds now. */
  long heldBytes() {
    return scope.heldBytes();
  }

  /** The most bytes the execution's scope held at once. */
  long peakBytes() {
    return scope.peakBytes();
  }

  /** The context the execution runs with (its memory limit capped at the runtime's). */
  DataContext context() {
    return context;
  }

  /** Opens an account of this execution (for a consumer's own operator). */
  Account open(String accountName) {
    return scope.open(accountName);
  }

  /**
   * Hands a block to a receiver that must close it: if it drops it, the block comes back once
   * unreachable and the leak is reported naming this execution.
   */
  Block handOut(Block block) {
    return scope.handOut(block, OUTPUT);
  }

  /** The execution's view of the runtime's {@code io} scheduler (its tasks counted). */
  Scheduler io() {
    return io;
  }

  /** The plan in one line, source first: {@code Range[100]->Map->Filter}. */
  private static String summary(LogicalPlan node) {
    if (node instanceof Read r) {
      return r.source().name();
    }
    if (node.inputs().size() == 1) {
      return summary(node.inputs().get(0)) + "->" + node.describe();
    }
    return node.describe();
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
        resources.governSource(account, workingSet.source());
      }
      return st.instrument(r.read().source()
          .read(r.read().pushdown(), account, context.readSettings(io), st)
          .subscribeOn(io));
    }
    if (node instanceof LimitStage l) {
      return compile(l.input()).transform(dev.tributary.operators.Limit.of(l.rows()));
    }
    if (node instanceof UnionStage u) {
      return dev.tributary.operators.Union.of(u.inputs().stream().map(this::compile).toList());
    }
    if (node instanceof JoinStage j) {
      Flux<Block> left = compile(j.left());
      Flux<Block> right = compile(j.right());
      // The join's own row (spills, output) first, then its build side's.
      Account account = open(j.name());
      OperatorStats st = track(j.name(), account);
      String buildName = j.name() + ".build";
      Account build = open(buildName);
      OperatorStats buildStats = track(buildName, build);
      // Both sides are taken whole (the build side before the probe side), like sinks.
      HashJoin op = HashJoin.of(j.node().keys(), j.node().type(), account, build, io,
          context.spillDirectory(), st)
          .schemas(j.node().left().schema(), j.node().right().schema());
      return st.instrument(op.apply(
          left.transform(boundary(j.name(), account, st, false, false, PASS_THROUGH)),
          right.transform(boundary(buildName, build, buildStats, false, false,
              PASS_THROUGH))));
    }
    if (node instanceof ZipStage z) {
      Flux<Block> left = compile(z.left());
      Flux<Block> right = compile(z.right());
      // The zip's own row (pending rows, output) on the left side, a second one for the right.
      Account account = open(z.name());
      OperatorStats st = track(z.name(), account);
      String rightName = z.name() + ".right";
      Account rightAccount = open(rightName);
      OperatorStats rightStats = track(rightName, rightAccount);
      return st.instrument(dev.tributary.operators.Zip.of(
          left.transform(boundary(z.name(), account, st, false, false, PASS_THROUGH)),
          right.transform(boundary(rightName, rightAccount, rightStats, false, false,
              PASS_THROUGH)),
          account));
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
    if (node instanceof AggregateStage a) {
      // The aggregation takes its whole input, like a sink: its boundary admits what it holds.
      HashAggregate op = HashAggregate.of(a.node().keys(), a.node().aggregates(), account, io)
          .input(a.node().input().schema())
          .spillTo(context.spillDirectory())
          .stats(st);
      return st.instrument(input.transform(boundary(a.name(), account, st, a.fedBySource(),
          a.coalesces(), PASS_THROUGH)).transform(op));
    }
    if (node instanceof MapGroupsStage g) {
      MapGroups op = MapGroups.of(g.node().keys(), g.node().fn(), account, io,
          context.spillDirectory(), st);
      return st.instrument(input.transform(boundary(g.name(), account, st, false, false,
          PASS_THROUGH)).transform(op));
    }
    if (node instanceof ExchangeStage x) {
      Flux<Block> admitted = input.transform(boundary(x.name(), account, st, x.fedBySource(),
          x.coalesces(), PASS_THROUGH));
      return st.instrument(admitted.transform(exchange(x, account.sibling(x.name() + " held"),
          st)));
    }
    if (node instanceof MapStage m) {
      MapBlocks op = MapBlocks.of(m.name(), m.transform(), account)
          .ordered(context.preserveOrder())
          .stats(st)
          .erroredBlocks(errored);
      if (m.gpu() != null) {
        // Each call on a device's own thread (one call at a time per device); with no device
        // the runtime's GPU side is empty and the stage runs on the CPU like any other.
        Scheduler devices = runtime.gpus().scheduler(m.gpu());
        if (devices != null) {
          op = op.concurrency(m.gpu().devices().size(), work.track(devices));
        }
      } else if (m.blocking()) {
        // It may block on I/O: never inline on a cpu thread.
        op = op.concurrency(m.concurrency(), io);
      } else if (m.concurrency() > 1) {
        op = op.concurrency(Math.min(m.concurrency(), context.cpuLimit()), cpu);
      }
      StageLoad load = op.load();
      Flux<Block> flux = input.transform(boundary(m.name(), account, st, m.fedBySource(),
          m.coalesces(), governor -> governor.feeding(load)));
      if (m.rebatchRows() > 0) {
        flux = flux.transform(Rebatch.of(m.rebatchRows(), account));
      }
      return flux.transform(op);
    }
    if (node instanceof PoolStage p) {
      // Like tasks, workers beyond the cpu limit would only wait for the scheduler's threads.
      int max = Math.min(p.node().maxWorkers(), context.cpuLimit());
      WorkerPool op = WorkerPool.of(p.name(), p.node().factory(), account,
              Math.min(p.node().minWorkers(), max), max, cpu)
          .ordered(context.preserveOrder())
          .stats(st)
          .erroredBlocks(errored);
      StageLoad load = op.load();
      Flux<Block> flux = input.transform(boundary(p.name(), account, st, p.fedBySource(),
          p.coalesces(), governor -> governor.feeding(load)));
      if (p.node().batchSize() > 0) {
        flux = flux.transform(Rebatch.of(p.node().batchSize(), account));
      }
      return flux.transform(op);
    }
    OutputStage o = (OutputStage) node;
    // Blocks handed out are charged to the boundary's account until the consumer takes them.
    Flux<Block> handed = st.instrument(input.transform(boundary(o.name(), account, st,
        o.fedBySource(), o.coalesces(), PASS_THROUGH)));
    // A sink writes on the execution's view of the runtime's I/O scheduler (its tasks counted).
    return o.sink() == null ? handed
        : o.sink().apply(handed, io).thenMany(Flux.<Block>empty());
  }

  /**
   * The operator of an exchange stage. It holds what it gathers in {@code held}, an account of
   * its own beside the stage's (so that its governor keeps admitting blocks while it holds
   * them), up to {@link #EXCHANGE_SHARE} of the memory limit, and spills beyond.
   */
  private Function<Flux<Block>, Flux<Block>> exchange(ExchangeStage stage, Account held,
      OperatorStats st) {
    // Of the execution's share (its memory limit when alone), shrinking as others start.
    LongSupplier budget = () -> Math.max(EXCHANGE_MIN_BUDGET,
        (long) (resources.shareBytes() * EXCHANGE_SHARE));
    if (stage.node() instanceof Sort s) {
      return ExternalSort.of(stage.name(), s.keys(), held, io, context.spill()).budget(budget)
          .stats(st);
    }
    LocalExchange exchange = LocalExchange.of(stage.name(), held, io, context.spill())
        .budget(budget).stats(st);
    if (stage.node() instanceof BlockShuffle b) {
      return RandomizeBlockOrder.of(exchange, b.seed());
    }
    if (stage.node() instanceof Shuffle s) {
      return RandomShuffle.of(exchange, SHUFFLE_PARTITIONS, s.seed(), held, io);
    }
    dev.tributary.plan.Repartition r = (dev.tributary.plan.Repartition) stage.node();
    return dev.tributary.operators.exchange.Repartition.of(exchange, r.blocks(), r.keys(), held);
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
    // A governor feeding a transform needs room for a block and its output; one with nothing
    // behind it (Governor::passThrough) for the block it hands on.
    long minimum = role == PASS_THROUGH ? workingSet.boundary() : workingSet.stage();
    Governor governor = role.apply(Governor.of(name, account, cpu, stats));
    if (context.governed()) {
      resources.govern(account, stats, minimum);
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

  private OperatorStats track(String name, Account account) {
    OperatorStats st = new OperatorStats(name).account(account);
    stats.add(st);
    return st;
  }

  /** Takes the stats (once) and stops budgeting and progress. */
  private synchronized ExecutionStats finish() {
    if (result == null) {
      result = new ExecutionStats(
          stats.stream().map(OperatorStats::snapshot).toList(), System.nanoTime() - startNanos,
          scope.peakBytes(), context.memoryLimit(), resources.queuedNanos());
      resources.stop();
      if (progress != null) {
        progress.stop();
      }
    }
    return result;
  }

  /** The stream terminated or was cancelled: what remains is winding down. */
  private void stop() {
    stopped = true;
    work.end();
  }

  /**
   * The subscriber chain became unreachable without terminating: nothing can run for this
   * execution any more (a scheduled task would have kept the chain reachable), so it ends.
   */
  private void abandoned() {
    if (!stopped) {
      finish();
      stop();
    }
  }

  /** Nothing of the execution runs any more: its memory ends. */
  private void ended() {
    finish();
    scope.close();
    over = true;
    runtime.ended(this, view, result);
    end.tryEmitEmpty();
  }

  /** A leak of this execution: when its scope closed, or a handed-out block reclaimed later. */
  private void leaked(MemoryLeakException found) {
    boolean deliver = awaited && !over;
    if (deliver) {
      MemoryLeakException first = leak;
      if (first == null) {
        leak = found;
      } else {
        first.addSuppressed(found);
      }
    }
    runtime.leaked(found, deliver);
  }

  /**
   * Stops the stream if it still runs (the runtime is closing): its consumer gets an {@code
   * IllegalStateException} naming the runtime and the execution.
   */
  void interrupt() {
    Sinks.Empty<Void> s = stopSwitch.get();
    if (!stopped && s != null) {
      interrupted = true;
      s.tryEmitEmpty();
    }
  }

  /**
   * Waits (the caller may block: the runtime is closing) up to {@code timeout} for the end;
   * returns whether it came.
   */
  boolean awaitEnd(Duration timeout) {
    end.asMono().timeout(timeout, Mono.empty()).block();
    return over;
  }
}
