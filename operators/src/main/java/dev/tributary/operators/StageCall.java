package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.reactivestreams.Publisher;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;

/**
 * What the one-to-one operators ({@link MapBlocks}, {@link WorkerPool}) share: calling a stage's
 * function on one block (moved into the stage's account, timed, charged, a failure named by
 * operator and block, reported to the stage's {@link StageLoad}), and the pool of such calls
 * running on other threads behind a {@link HandOff}.
 */
final class StageCall {
  private final String name;
  private final Account account;
  private final OperatorStats stats;
  private final StageLoad load;
  private final ErroredBlocks errored;

  StageCall(String name, Account account, OperatorStats stats, StageLoad load,
      ErroredBlocks errored) {
    this.name = name;
    this.account = account;
    this.stats = stats;
    this.load = load;
    this.errored = errored;
  }

  /** Starts the work on block {@code index} of a pooled stage. */
  @FunctionalInterface
  interface Task {
    /**
     * The output of {@code input} (empty for none), made on another thread: the task takes its
     * input from {@code transit} there and offers its output to it before emitting it.
     */
    Publisher<Block> start(Block input, long index, HandOff transit);
  }

  /**
   * {@code upstream}'s blocks through up to {@code concurrency} tasks at once, outputs in input
   * order if {@code ordered}; each input is in transit from here until its task takes it, each
   * output from its task until it is handed on, and what a cancel or an error strands is
   * released.
   */
  Flux<Block> pooled(Flux<Block> upstream, int concurrency, boolean ordered, Task task) {
    return Flux.defer(() -> {
      AtomicLong index = new AtomicLong();
      // Tasks under way: all of them busy is a wait of its own (WaitReason.CONCURRENCY).
      AtomicInteger busy = new AtomicInteger();
      return HandOff.fanOut(upstream, (Block b, HandOff transit) -> {
        long i = index.getAndIncrement();
        load.taken();
        transit.offer(b);
        if (busy.incrementAndGet() == concurrency) {
          stats.waitBegins(WaitReason.CONCURRENCY, System.nanoTime());
        }
        return Flux.from(task.start(b, i, transit)).doFinally(signal -> {
          if (busy.getAndDecrement() == concurrency) {
            stats.waitEnds(WaitReason.CONCURRENCY, System.nanoTime());
          }
        });
      }, concurrency, ordered);
    })
        .doOnNext(b -> load.handedOn())
        .onErrorMap(Exceptions::isMultiple, UserCalls::firstOf);
  }

  /**
   * Moves {@code received} into the stage's account and runs {@code fn} on it (which consumes
   * it), timed and charged to the account; returns the output, or null for none (also when
   * {@code fn} failed within the execution's {@link ErroredBlocks} allowance).
   *
   * @throws UserFunctionException if {@code fn} throws beyond the allowance, naming the operator
   *     and block
   */
  Block run(Block received, long index, UnaryOperator<Block> fn) {
    Block in;
    try {
      in = received.transferTo(account);
    } catch (RuntimeException e) {
      received.release();
      // Taken, so finished too: a block counted in process forever would hold the governor's
      // window (and its progress rule) shut.
      load.finished(0, 0, false);
      throw e;
    }
    stats.recordIn(in);
    long inBytes = in.sizeBytes();
    Block out = null;
    try {
      // account.allocate turns Arrow's OutOfMemoryException from user code into the typed error.
      out = stats.timeUser(() -> account.allocate(() -> fn.apply(in)));
      return out;
    } catch (RuntimeException | Error e) {
      in.release(); // fn failed before a transform took it (else a no-op)
      RuntimeException failure = UserCalls.failure(name, index, e);
      if (failure instanceof UserFunctionException f && errored.absorb(f)) {
        return null; // within the execution's allowance: the block is dropped
      }
      throw failure;
    } finally {
      load.finished(inBytes, out == null ? 0 : out.sizeBytes(), out != null);
    }
  }
}
