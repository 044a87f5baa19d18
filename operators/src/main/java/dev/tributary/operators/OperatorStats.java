package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;

/**
 * Live counters of one operator instance: blocks, rows and bytes in and out, time in user
 * functions (wall and CPU), time spent waiting for downstream demand, its account's peak, and
 * for a source what it read from storage.
 * Thread-safe; {@link #snapshot()} freezes them.
 */
public final class OperatorStats {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final String name;
  private volatile Account account;
  private final AtomicLong blocksIn = new AtomicLong();
  private final AtomicLong rowsIn = new AtomicLong();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong blocksOut = new AtomicLong();
  private final AtomicLong rowsOut = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private final AtomicLong userNanos = new AtomicLong();
  private final AtomicLong userCpuNanos = new AtomicLong();
  private final AtomicLong backpressureNanos = new AtomicLong();
  private final AtomicLong startNanos = new AtomicLong();
  private final AtomicLong endNanos = new AtomicLong();
  private final AtomicLong peakBytes = new AtomicLong();
  private final AtomicLong throttledNanos = new AtomicLong();
  private final AtomicLong throttledBytes = new AtomicLong();
  private final AtomicLong oversizeBlocks = new AtomicLong();
  private final AtomicLong workers = new AtomicLong();
  private final AtomicLong peakWorkers = new AtomicLong();
  private final AtomicLong spilledBytes = new AtomicLong();
  private final AtomicLong spillNanos = new AtomicLong();
  private final AtomicLong restoredBytes = new AtomicLong();
  private final AtomicLong restoreNanos = new AtomicLong();
  private volatile Supplier<SourceReads> reads = () -> SourceReads.NONE;

  /** Creates the counters of the operator called {@code name}. */
  public OperatorStats(String name) {
    this.name = name;
  }

  /** The operator's name. */
  public String name() {
    return name;
  }

  /** Ties the counters to the operator's account, whose peak they report. */
  public OperatorStats account(Account account) {
    this.account = account;
    return this;
  }

  /** Reports what the operator (a source) read from storage, asked for at each snapshot. */
  public OperatorStats reads(Supplier<SourceReads> reads) {
    this.reads = Objects.requireNonNull(reads, "reads");
    return this;
  }

  /** Counts a block the operator received. */
  public void recordIn(Block block) {
    blocksIn.incrementAndGet();
    rowsIn.addAndGet(block.rowCount());
    bytesIn.addAndGet(block.sizeBytes());
    notePeak();
  }

  /** Counts a block the operator emitted. */
  public void recordOut(Block block) {
    blocksOut.incrementAndGet();
    rowsOut.addAndGet(block.rowCount());
    bytesOut.addAndGet(block.sizeBytes());
    notePeak();
  }

  /** Runs a user function on this thread, adding its wall and CPU time to the counters. */
  public <T> T timeUser(Supplier<T> call) {
    long wall = System.nanoTime();
    long cpu = THREADS.getCurrentThreadCpuTime();
    try {
      return call.get();
    } finally {
      userNanos.addAndGet(System.nanoTime() - wall);
      userCpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu);
    }
  }

  /** Adds time the operator's governor held back upstream demand for lack of memory. */
  public void recordThrottled(long nanos, long bytes) {
    throttledNanos.addAndGet(nanos);
    throttledBytes.addAndGet(bytes);
  }

  /** Counts a block larger than the operator's whole budget. */
  public void recordOversize() {
    oversizeBlocks.incrementAndGet();
  }

  /** The bytes the operator's account holds now (0 before it has one): a live gauge. */
  public long heldBytes() {
    Account a = account;
    return a == null ? 0 : a.heldBytes();
  }

  /** The operator account's budget now (0 before it has one): a live gauge. */
  public long budgetBytes() {
    Account a = account;
    return a == null ? 0 : a.budgetBytes();
  }

  /** Counts bytes the operator wrote to its spill store, and the time that took. */
  public void recordSpill(long bytes, long nanos) {
    spilledBytes.addAndGet(bytes);
    spillNanos.addAndGet(nanos);
  }

  /** Counts bytes the operator read back from its spill store, and the time that took. */
  public void recordRestore(long bytes, long nanos) {
    restoredBytes.addAndGet(bytes);
    restoreNanos.addAndGet(nanos);
  }

  /** Wall time spent in user functions so far, in nanoseconds. */
  public long userNanos() {
    return userNanos.get();
  }

  /**
   * Wraps an operator's output: counts what it emits, its wall time, and how long it had output
   * but no downstream demand (backpressure).
   */
  public Flux<Block> instrument(Flux<Block> output) {
    return Flux.defer(() -> {
      AtomicLong outstanding = new AtomicLong();
      AtomicLong stalledSince = new AtomicLong();
      return output
          .doOnSubscribe(s -> startNanos.compareAndSet(0, System.nanoTime()))
          .doOnRequest(n -> {
            long since = stalledSince.getAndSet(0);
            if (since != 0) {
              backpressureNanos.addAndGet(System.nanoTime() - since);
            }
            outstanding.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
          })
          .doOnNext(b -> {
            recordOut(b);
            if (outstanding.get() != Long.MAX_VALUE && outstanding.decrementAndGet() == 0) {
              stalledSince.set(System.nanoTime());
            }
          })
          .doFinally(signal -> {
            endNanos.set(System.nanoTime());
            notePeak();
          });
    });
  }

  private void notePeak() {
    Account a = account;
    if (a != null) {
      peakBytes.accumulateAndGet(a.peakBytes(), Math::max);
    }
  }

  /** Records how many workers (instances of a stateful function) the operator has now. */
  public void recordWorkers(int now) {
    workers.set(now);
    peakWorkers.accumulateAndGet(now, Math::max);
  }

  /** The counters as they are now. */
  public OperatorSnapshot snapshot() {
    long start = startNanos.get();
    long end = endNanos.get() != 0 ? endNanos.get() : (start == 0 ? 0 : System.nanoTime());
    Account a = account;
    return new OperatorSnapshot(
        name, end - start, userNanos.get(), userCpuNanos.get(), backpressureNanos.get(),
        blocksIn.get(), rowsIn.get(), bytesIn.get(), blocksOut.get(), rowsOut.get(),
        bytesOut.get(), Math.max(peakBytes.get(), a == null ? 0 : a.peakBytes()),
        a == null ? 0 : a.budgetBytes(), start, end, throttledNanos.get(), throttledBytes.get(),
        oversizeBlocks.get(), reads.get(), (int) workers.get(), (int) peakWorkers.get(),
        new SpillCounts(spilledBytes.get(), spillNanos.get(), restoredBytes.get(),
            restoreNanos.get()));
  }
}
