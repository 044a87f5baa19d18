package dev.tributary.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.rounding.SegmentRoundingPolicy;

/**
 * The off-heap memory of one execution: an Arrow {@link RootAllocator} with a hard byte limit,
 * divided into {@link Account}s, one per operator instance.
 *
 * <p>No allocation may take the arena past its limit: Arrow refuses it and Tributary reports it
 * as a {@link MemoryLimitExceededException}. {@link #allocatedBytes()} and {@link #peakBytes()}
 * count physical memory only: moving a block between accounts changes who is charged, never the
 * arena's total (Arrow's own root counters briefly count a moving buffer twice; these do not).
 *
 * <p>Closing the arena is the leak check: if any account still holds memory, {@link #close()}
 * throws a {@link MemoryLeakException} naming each such account.
 */
public final class Arena implements AutoCloseable {
  /** Allocations are rounded up to a multiple of this many bytes. */
  static final int ALLOCATION_SEGMENT_BYTES = 1024;

  private final String name;
  private final long limitBytes;
  private final PhysicalMemory physical = new PhysicalMemory();
  private final RootAllocator root;
  private final Set<Account> accounts = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private Arena(String name, long limitBytes) {
    this.name = Objects.requireNonNull(name, "name");
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("limitBytes must be positive, was " + limitBytes);
    }
    this.limitBytes = limitBytes;
    // Arrow's default policy rounds every allocation up to a power of two (up to 2x waste, which a
    // memory governor cannot afford); with the Unsafe allocator 1 KiB segments lose nothing.
    this.root =
        new RootAllocator(
            new AccountListener(physical, name, null), limitBytes,
            new SegmentRoundingPolicy(ALLOCATION_SEGMENT_BYTES));
  }

  /** Creates an arena that never holds more than {@code limitBytes} of off-heap memory. */
  public static Arena create(String name, long limitBytes) {
    return new Arena(name, limitBytes);
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
    return openAccount(accountName, budgetBytes, hardLimitBytes, null);
  }

  /** Opens an account of {@code group} (null for none), as {@link #openAccount(String, long, long)}. */
  Account openAccount(String accountName, long budgetBytes, long hardLimitBytes,
      AccountGroup group) {
    ensureOpen();
    Objects.requireNonNull(accountName, "accountName");
    sweepRetired();
    if (hardLimitBytes <= 0 || hardLimitBytes > limitBytes) {
      throw new IllegalArgumentException(
          "hardLimitBytes must be in (0, " + limitBytes + "], was " + hardLimitBytes);
    }
    AccountListener listener = new AccountListener(physical, accountName, group);
    BufferAllocator allocator = root.newChildAllocator(accountName, listener, 0, hardLimitBytes);
    Account account = new Account(this, accountName, allocator, listener, budgetBytes, group);
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
   * by every account of the arena (several executions may share it; {@link AccountGroup} measures
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

  private void sweepRetired() {
    for (Account account : accounts) {
      account.closeIfRetiredAndEmpty();
    }
  }

  void forget(Account account) {
    accounts.remove(account);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("arena '" + name + "' is closed");
    }
  }

  /**
   * Closes every account and the root allocator.
   *
   * @throws MemoryLeakException naming each account that still holds memory; accounts that held
   *     nothing are closed regardless
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<AccountUsage> leaking = new ArrayList<>();
    for (Account account : List.copyOf(accounts)) {
      if (account.heldBytes() > 0) {
        leaking.add(account.usage());
      } else {
        account.close();
      }
    }
    long leaked = physical.allocated();
    if (!leaking.isEmpty() || leaked > 0) {
      StringBuilder sb = new StringBuilder("arena '").append(name).append("' closed with ")
          .append(Bytes.format(leaked)).append(" still allocated; close every block before the"
              + " arena. Accounts still holding memory:");
      for (AccountUsage u : leaking) {
        sb.append("\n  ").append(u);
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
