package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;

/**
 * The streaming one-to-one operator: applies a {@link BlockTransform} to every block, inline or
 * on a task pool of {@code concurrency} tasks, keeping input order unless told not to.
 *
 * <p>Each input block is moved into the operator's account before the function runs, and the
 * function's output is charged there until downstream takes it. A function that throws fails the
 * stream with a {@link UserFunctionException} naming the operator and block. Blocks dropped on
 * cancel or error are closed. What it has in hand is reported in its {@link #load()}, for the
 * governor on its input. Usable on any {@code Flux<Block>}: {@code
 * flux.transform(MapBlocks.of("double", fn, account))}.
 */
public final class MapBlocks implements Function<Flux<Block>, Flux<Block>> {
  private final String name;
  private final BlockTransform transform;
  private final Account account;
  private final int concurrency;
  private final Scheduler scheduler;
  private final boolean ordered;
  private final OperatorStats stats;
  private final StageLoad load;
  private final ErroredBlocks errored;

  private MapBlocks(String name, BlockTransform transform, Account account, int concurrency,
      Scheduler scheduler, boolean ordered, OperatorStats stats, StageLoad load,
      ErroredBlocks errored) {
    this.name = name;
    this.transform = transform;
    this.account = account;
    this.concurrency = concurrency;
    this.scheduler = scheduler;
    this.ordered = ordered;
    this.stats = stats;
    this.load = load;
    this.errored = errored;
  }

  /** An operator named {@code name} running {@code transform} inline, charging {@code account}. */
  public static MapBlocks of(String name, BlockTransform transform, Account account) {
    return new MapBlocks(
        Objects.requireNonNull(name, "name"), Objects.requireNonNull(transform, "transform"),
        Objects.requireNonNull(account, "account"), 1, null, true,
        new OperatorStats(name).account(account), new StageLoad(), ErroredBlocks.NONE);
  }

  /** Runs up to {@code concurrency} blocks at once on {@code scheduler}. */
  public MapBlocks concurrency(int concurrency, Scheduler scheduler) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
    return new MapBlocks(name, transform, account, concurrency,
        Objects.requireNonNull(scheduler, "scheduler"), ordered, stats, load, errored);
  }

  /** Whether output keeps input order (default true); unordered output can be faster. */
  public MapBlocks ordered(boolean ordered) {
    return new MapBlocks(name, transform, account, concurrency, scheduler, ordered, stats, load,
        errored);
  }

  /** Reports into {@code stats} instead of the operator's own counters. */
  public MapBlocks stats(OperatorStats stats) {
    return new MapBlocks(name, transform, account, concurrency, scheduler, ordered,
        stats.account(account), load, errored);
  }

  /**
   * Drops a block its function fails on, instead of failing, while {@code errored} (shared by an
   * execution's stages) allows.
   */
  public MapBlocks erroredBlocks(ErroredBlocks errored) {
    return new MapBlocks(name, transform, account, concurrency, scheduler, ordered, stats, load,
        Objects.requireNonNull(errored, "errored"));
  }

  /** The counters this operator reports into. */
  public OperatorStats stats() {
    return stats;
  }

  /**
   * What this operator has in hand (blocks in process, outputs not handed on, output ratio), for
   * the governor on its input ({@link Governor#feeding(StageLoad)}).
   */
  public StageLoad load() {
    return load;
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    StageCall call = new StageCall(name, account, stats, load, errored);
    UnaryOperator<Block> fn = in -> BlockTransform.run(transform, in, account);
    Flux<Block> out;
    if (concurrency == 1 && scheduler == null) {
      out = Flux.defer(() -> {
        AtomicLong index = new AtomicLong();
        return upstream.handle((Block b, SynchronousSink<Block> sink) -> {
          load.taken();
          Block made = call.run(b, index.getAndIncrement(), fn);
          if (made != null) {
            load.handedOn();
            sink.next(made);
          }
        });
      });
    } else {
      out = call.pooled(upstream, concurrency, ordered, (b, i, transit) ->
          Mono.just(b).publishOn(scheduler).handle((Block x, SynchronousSink<Block> sink) -> {
            if (transit.take(x)) {
              Block made = call.run(x, i, fn);
              if (made != null && transit.offer(made)) {
                sink.next(made);
              }
            }
          }));
    }
    return stats.instrument(out).doOnDiscard(Block.class, Block::release);
  }

  @Override
  public String toString() {
    return "MapBlocks[" + name + (concurrency > 1 ? ", concurrency " + concurrency : "") + "]";
  }
}
