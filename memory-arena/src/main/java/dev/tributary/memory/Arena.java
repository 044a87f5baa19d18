package dev.tributary.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.rounding.SegmentRoundingPolicy;

/**
 * Off-heap memory with a hard byte limit: an Arrow {@link RootAllocator}, divided into {@link
 * ExecutionScope}s (one per running execution, each capped) and {@link Account}s (one per
 * operator instance, in a scope or directly on the arena).
 *
 * <p>No allocation may take the arena past its limit: Arrow refuses it and Tributary reports it
 * as a {@link MemoryLimitExceededException}. {@link #allocatedBytes()} and {@link #peakBytes()}
 * count physical memory only: moving a block between accounts changes who is charged, never the
 * arena's total (Arrow's own root counters briefly count a moving buffer twice; these do not).
 *
 * <p>Blocks handed to a receiver that never closes them ({@link ExecutionScope#handOut}) come back
 * once unreachable; when an allocation is refused while such blocks, or executions a receiver may
 * have abandoned, are outstanding, the arena nudges the garbage collector and waits briefly for
 * them before giving up, as {@code java.nio} does for direct buffers.
 *
 * <p>Closing the arena is the leak check: if any account still holds memory, {@link #close()}
 * releases it and throws a {@link MemoryLeakException} naming each such account.
 */
public final class Arena implements AutoCloseable {
  /** Allocations are rounded up to a multiple of this many bytes. */
  static final int ALLOCATION_SEGMENT_BYTES = 1024;
  /** How long a refused allocation waits for dropped blocks to be reclaimed, at most. */
  static final Duration RECLAIM_WAIT = Duration.ofMillis(500);
  /** The same on a thread that must not park (it spins): shorter. */
  static final Duration RECLAIM_SPIN = Duration.ofMillis(100);
  /** The longest single park while waiting for reclaimed memory. */
  private static final long MAX_PARK_NANOS = 64_000_000;

  private final String name;
  private final long limitBytes;
  private final BooleanSupplier mayPark;
  private final PhysicalMemory physical = new PhysicalMemory();
  private final Allocations allocations = new Allocations();
  private final RootAllocator root;
  private final Set<Account> accounts = ConcurrentHashMap.newKeySet();
  private final Set<ExecutionScope> scopes = ConcurrentHashMap.newKeySet();
  private final AtomicLong watchedBlocks = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  private Arena(String name, long limitBytes, BooleanSupplier mayPark) {
    this.name = Objects.requireNonNull(name, "name");
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("limitBytes must be positive, was " + limitBytes);
    }
    this.limitBytes = limitBytes;
    this.mayPark = Objects.requireNonNull(mayPark, "mayPark");
    // Arrow's default policy rounds every allocation up to a power of two (up to 2x waste, which a
    // memory governor cannot afford); with the Unsafe allocator 1 KiB segments lose nothing.
    this.root = new RootAllocator(RootAllocator.configBuilder()
        .listener(new AccountListener(this, physical, name, null))
        .maxAllocation(limitBytes)
        .roundingPolicy(new SegmentRoundingPolicy(ALLOCATION_SEGMENT_BYTES))
        .allocationManagerFactory(allocations)
        .build());
  }

  /** Creates an arena that never holds more than {@code limitBytes} of off-heap memory. */
  public static Arena create(String name, long limitBytes) {
    return new Arena(name, limitBytes, () -> true);
  }

  /**
   * Creates an arena as {@link #create(String, long)}, where {@code mayPark} tells whether the
   * calling thread may park while a refused allocation waits for reclaimed memory (false on a
   * thread that must never block, such as a Reactor non-blocking thread: it spins, shorter).
   */
  public static Arena create(String name, long limitBytes, BooleanSupplier mayPark) {
    return new Arena(name, limitBytes, mayPark);
  }

  /**
   * Opens the scope of one execution, capped at {@code limitBytes} (at most the arena's limit).
   * Leaks found when it closes, or when a block it handed out is reclaimed, go to {@code onLeak}.
   */
  public ExecutionScope openScope(String scopeName, long limitBytes,
      Consumer<MemoryLeakException> onLeak) {
    ensureOpen();
    Objects.requireNonNull(scopeName, "scopeName");
    Objects.requireNonNull(onLeak, "onLeak");
    if (limitBytes <= 0 || limitBytes > this.limitBytes) {
      throw new IllegalArgumentException(
          "limitBytes must be in (0, " + this.limitBytes + "], was " + limitBytes);
    }
    BufferAllocator allocator =
        root.newChildAllocator(scopeName, AllocationListener.NOOP, 0, limitBytes);
    ExecutionScope scope = new ExecutionScope(this, scopeName, limitBytes, allocator, onLeak);
    scopes.add(scope);
    return scope;
  }

  /** Opens an account whose budget is the whole arena limit. */
  public Account openAccount(String accountName) {
    return openAccount(accountName, limitBytes);
  }

  /**
   * Opens an account with a budget: the share of the arena the memory governor steers this
   * account by. The budget is soft; only the arena limit is hard.
   */
  public Account openAccount(String accountName, long budgetBytes) {
    return openAccount(accountName, budgetBytes, limitBytes);
  }

  /**
   * Opens an account with a budget and its own hard limit ({@code hardLimitBytes} at most the
   * arena limit): allocations and transfers past it fail with {@link
   * MemoryLimitExceededException}.
   */
  public Account openAccount(String accountName, long budgetBytes, long hardLimitBytes) {
    return openAccount(root, null, accountName, budgetBytes, hardLimitBytes);
  }

  /** Opens an account below {@code parent}: the root, or the allocator of {@code scope}. */
  Account openAccount(BufferAllocator parent, ExecutionScope scope, String accountName,
      long budgetBytes, long hardLimitBytes) {
    ensureOpen();
    Objects.requireNonNull(accountName, "accountName");
    sweepRetired();
    long parentLimit = scope != null ? scope.limitBytes() : limitBytes;
    if (hardLimitBytes <= 0 || hardLimitBytes > parentLimit) {
      throw new IllegalArgumentException(
          "hardLimitBytes must be in (0, " + parentLimit + "], was " + hardLimitBytes);
    }
    AccountListener listener = new AccountListener(this, physical, accountName, scope);
    BufferAllocator allocator = parent.newChildAllocator(accountName, listener, 0, hardLimitBytes);
    listener.allocator(allocator);
    Account account = new Account(this, accountName, allocator, listener, budgetBytes, scope);
    accounts.add(account);
    return account;
  }

  /** The arena's name, used in reports. */
  public String name() {
    return name;
  }

  /** The hard limit in bytes. */
  public long limitBytes() {
    return limitBytes;
  }

  /** Bytes allocated now, across all accounts. */
  public long allocatedBytes() {
    return physical.allocated();
  }

  /**
   * The most bytes allocated at any one time since creation or the last {@link #resetPeak()},
   * by every account of the arena (several executions may share it; {@link ExecutionScope} measures
   * one).
   */
  public long peakBytes() {
    return physical.peak();
  }

  /**
   * Waits on the calling thread (one allowed to block) until nothing is allocated, or the
   * timeout passes: after a cancel or error, workers on other threads may still be releasing
   * blocks. Returns whether the arena is empty.
   */
  public boolean awaitEmpty(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (physical.allocated() != 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(100_000);
    }
    return physical.allocated() == 0;
  }

  /** The physical counter, for charges made outside Arrow's allocation listener. */
  PhysicalMemory physical() {
    return physical;
  }

  /** Restarts peak tracking from the bytes allocated now. */
  public void resetPeak() {
    physical.resetPeak();
  }

  /** Bytes the arena can still allocate before reaching its limit. */
  public long headroomBytes() {
    return Math.max(0, limitBytes - physical.allocated());
  }

  /** A snapshot of every open account's usage, largest holder first. */
  public List<AccountUsage> usage() {
    sweepRetired();
    List<AccountUsage> out = new ArrayList<>();
    for (Account account : accounts) {
      out.add(account.usage());
    }
    out.sort((a, b) -> Long.compare(b.heldBytes(), a.heldBytes()));
    return out;
  }

  /** A multi-line report: limit, allocated, peak and the per-account breakdown. */
  public String report() {
    StringBuilder sb = new StringBuilder();
    sb.append("Arena '").append(name).append("': ")
        .append(Bytes.format(allocatedBytes())).append(" allocated, ")
        .append(Bytes.format(peakBytes())).append(" peak, ")
        .append(Bytes.format(limitBytes)).append(" limit");
    for (AccountUsage u : usage()) {
      sb.append("\n  ").append(u);
    }
    return sb.toString();
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  BufferAllocator rootAllocator() {
    return root;
  }

  Allocations allocations() {
    return allocations;
  }

  /** Counts blocks handed out (+1) and closed or reclaimed (-1). */
  void watchedBlocks(int delta) {
    watchedBlocks.addAndGet(delta);
  }

  /**
   * A refused allocation's last chance, in the spirit of {@code java.nio.Bits.reserveMemory}: if
   * the garbage collector could give memory back (blocks handed out and not closed, executions a
   * receiver may have abandoned), runs it and waits, briefly, until {@code fits}. Returns whether
   * the allocation should be retried.
   */
  boolean reclaim(BooleanSupplier fits) {
    if (watchedBlocks.get() == 0 && scopes.isEmpty()) {
      return false;
    }
    System.gc();
    boolean park = mayPark.getAsBoolean();
    long deadline = System.nanoTime() + (park ? RECLAIM_WAIT : RECLAIM_SPIN).toNanos();
    long parkNanos = 1_000_000;
    while (!fits.getAsBoolean()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      // A cleaner thread frees the memory: park if allowed, else spin (a non-blocking thread
      // must not park; the wait is short and happens only when memory ran out).
      if (park) {
        LockSupport.parkNanos(parkNanos);
        parkNanos = Math.min(parkNanos * 2, MAX_PARK_NANOS);
      }
    }
    return true;
  }

  private void sweepRetired() {
    for (Account account : accounts) {
      account.closeIfRetiredAndEmpty();
    }
  }

  void forget(Account account) {
    accounts.remove(account);
  }

  void forget(ExecutionScope scope) {
    scopes.remove(scope);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("arena '" + name + "' is closed");
    }
  }

  /**
   * Closes every scope, every account and the root allocator. Memory still held is released first
   * (blocks still open become closed: using them fails), so the arena leaves nothing behind.
   *
   * @throws MemoryLeakException naming each account that still held memory (and its execution);
   *     accounts that held nothing are closed regardless
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<String> leaking = new ArrayList<>();
    for (Account account : List.copyOf(accounts)) {
      if (account.heldBytes() > 0) {
        ExecutionScope scope = account.scope();
        leaking.add((scope != null ? "execution '" + scope.name() + "', " : "")
            + account.usage());
      }
    }
    long leaked = physical.allocated();
    boolean releasable = Allocations.canRelease();
    if (leaked > 0 && releasable) {
      String why = "released: arena '" + name + "' closed";
      for (ExecutionScope scope : List.copyOf(scopes)) {
        scope.releaseAll(why);
      }
      allocations.releaseAll();
    }
    for (Account account : List.copyOf(accounts)) {
      if (account.heldBytes() == 0) {
        account.close();
      }
    }
    for (ExecutionScope scope : List.copyOf(scopes)) {
      scope.closeAllocator();
    }
    if (!leaking.isEmpty() || leaked > 0) {
      StringBuilder sb = new StringBuilder("arena '").append(name).append("' closed with ")
          .append(Bytes.format(leaked)).append(" still allocated")
          .append(releasable ? " (released now)" : "")
          .append("; close every block before the arena. Accounts still holding memory:");
      for (String u : leaking) {
        sb.append("\n  ").append(u);
      }
      if (releasable) {
        root.close();
      }
      throw new MemoryLeakException(sb.toString(), leaked);
    }
    root.close();
  }

  @Override
  public String toString() {
    return "Arena[" + name + ", " + Bytes.format(allocatedBytes()) + "/" + Bytes.format(limitBytes)
        + "]";
  }
}
