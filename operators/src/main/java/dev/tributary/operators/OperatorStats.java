package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;

/**
 * Live counters of one operator instance: blocks, rows and bytes in and out, time in user
 * functions (wall and CPU), its account's peak, for a source what it read from storage, for an
 * exchange what it spilled; and why it waits now ({@link #waiting()}) with the time spent per
 * {@link WaitReason} (each reason's wait is a start time while it lasts and a total after: two
 * atomic operations per change, nothing allocated). Thread-safe; {@link #snapshot()} freezes
 * them.
 */
public final class OperatorStats {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final WaitReason[] REASONS = WaitReason.values();

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
  private final AtomicLong startNanos = new AtomicLong();
  private final AtomicLong endNanos = new AtomicLong();
  private final AtomicLong peakBytes = new AtomicLong();
  /** Per reason (by ordinal): when the current wait began, 0 while not waiting for it. */
  private final AtomicLongArray waitingSince = new AtomicLongArray(REASONS.length);
  /** Per reason (by ordinal): the time of the waits that ended. */
  private final AtomicLongArray waitedNanos = new AtomicLongArray(REASONS.length);
  private final AtomicLong throttledBytes = new AtomicLong();
  private final AtomicLong oversizeBlocks = new AtomicLong();
  private final AtomicLong workers = new AtomicLong();
  private final AtomicLong peakWorkers = new AtomicLong();
  private final AtomicLong spilledBytes = new AtomicLong();
  private final AtomicLong spillNanos = new AtomicLong();
  private final AtomicLong restoredBytes = new AtomicLong();
  private final AtomicLong restoreNanos = new AtomicLong();
  private volatile Supplier<SourceReads> reads = () -> SourceReads.NONE;
  private volatile Supplier<SpillStats> spills = () -> SpillStats.NONE;

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

  /** Reports what the operator (an exchange) spilled and restored, asked for at each snapshot. */
  public OperatorStats spills(Supplier<SpillStats> spills) {
    this.spills = Objects.requireNonNull(spills, "spills");
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

  /** Counts bytes of a block whose request its governor held back for lack of memory. */
  public void recordThrottledBytes(long bytes) {
    throttledBytes.addAndGet(bytes);
  }

  /**
   * The operator starts waiting for {@code reason} at {@code nanoTime} (a wait already under
   * way goes on). Cheap: one atomic operation.
   */
  public void waitBegins(WaitReason reason, long nanoTime) {
    waitingSince.compareAndSet(reason.ordinal(), 0, nanoTime == 0 ? 1 : nanoTime);
  }

  /** The operator's wait for {@code reason} ends at {@code nanoTime}, if one was under way. */
  public void waitEnds(WaitReason reason, long nanoTime) {
    long since = waitingSince.getAndSet(reason.ordinal(), 0);
    if (since != 0) {
      waitedNanos.addAndGet(reason.ordinal(), Math.max(0, nanoTime - since));
    }
  }

  /** Why the operator waits now: the first reason under way, or {@link WaitReason#NONE}. */
  public WaitReason waiting() {
    for (int i = 1; i < REASONS.length; i++) {
      if (waitingSince.get(i) != 0) {
        return REASONS[i];
      }
    }
    return WaitReason.NONE;
  }

  /** The time spent waiting for {@code reason} so far, the wait under way included. */
  public long waitedNanos(WaitReason reason) {
    return waitedNanos(reason, System.nanoTime());
  }

  private long waitedNanos(WaitReason reason, long now) {
    int i = reason.ordinal();
    long since = waitingSince.get(i);
    return waitedNanos.get(i) + (since != 0 ? Math.max(0, now - since) : 0);
  }

  /** Blocks the operator emitted so far. */
  public long blocksOut() {
    return blocksOut.get();
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
   * but no downstream demand (backpressure: it waits for {@link WaitReason#DOWNSTREAM}).
   */
  public Flux<Block> instrument(Flux<Block> output) {
    return Flux.defer(() -> {
      AtomicLong outstanding = new AtomicLong();
      return output
          .doOnSubscribe(s -> startNanos.compareAndSet(0, System.nanoTime()))
          .doOnRequest(n -> {
            waitEnds(WaitReason.DOWNSTREAM, System.nanoTime());
            outstanding.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
          })
          .doOnNext(b -> {
            recordOut(b);
            if (outstanding.get() != Long.MAX_VALUE && outstanding.decrementAndGet() == 0) {
              waitBegins(WaitReason.DOWNSTREAM, System.nanoTime());
            }
          })
          .doFinally(signal -> {
            long now = System.nanoTime();
            endNanos.set(now);
            waitEnds(WaitReason.DOWNSTREAM, now);
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
    long now = System.nanoTime();
    long start = startNanos.get();
    long end = endNanos.get() != 0 ? endNanos.get() : (start == 0 ? 0 : now);
    Account a = account;
    return new OperatorSnapshot(
        name, end - start, userNanos.get(), userCpuNanos.get(),
        waitedNanos(WaitReason.DOWNSTREAM, now),
        blocksIn.get(), rowsIn.get(), bytesIn.get(), blocksOut.get(), rowsOut.get(),
        bytesOut.get(), Math.max(peakBytes.get(), a == null ? 0 : a.peakBytes()),
        a == null ? 0 : a.budgetBytes(), start, end, waitedNanos(WaitReason.MEMORY, now),
        throttledBytes.get(),
        oversizeBlocks.get(), reads.get(), (int) workers.get(), (int) peakWorkers.get(),
        new SpillStats(spilledBytes.get(), restoredBytes.get(), spillNanos.get(),
            restoreNanos.get()).plus(spills.get()),
        waiting(), waitedNanos(WaitReason.UPSTREAM, now), waitedNanos(WaitReason.ADMISSION, now),
        a == null ? 0 : a.heldBytes(), waitedNanos(WaitReason.CONCURRENCY, now));
  }
}
