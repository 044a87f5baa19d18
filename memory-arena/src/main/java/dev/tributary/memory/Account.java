package dev.tributary.memory;

import java.util.Objects;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * The memory of one operator instance: an Arrow child allocator of its {@link Arena}, charged
 * for every block the operator holds.
 *
 * <p>An account has two numbers. Its <em>budget</em> is soft: the share of the arena the memory
 * governor steers the operator's demand by, and may be changed while the pipeline runs. Its
 * <em>hard limit</em> (by default the arena's) is never broken: an allocation or transfer past it
 * fails with {@link MemoryLimitExceededException}, as does one that would take the arena past its
 * limit.
 *
 * <p>An account has a <em>room signal</em> ({@link #onRoom(Runnable)}): it fires whenever room
 * may have grown (memory released or moved out, the budget raised), so a governor waiting for room
 * wakes on the event instead of polling.
 *
 * <p>Accounts are thread-safe.
 */
public final class Account implements AutoCloseable {
  private final Arena arena;
  private final String name;
  private final BufferAllocator allocator;
  /** The execution scope this account belongs to, or null for an account of the arena itself. */
  private final ExecutionScope scope;
  private volatile long budgetBytes;
  private volatile Runnable roomListener;
  private volatile boolean retiring;
  private volatile boolean closed;

  Account(Arena arena, String name, BufferAllocator allocator, AccountListener listener,
      long budgetBytes, ExecutionScope scope) {
    this.arena = arena;
    this.name = name;
    this.allocator = allocator;
    this.scope = scope;
    setBudget(budgetBytes);
    listener.onReleased(this::roomGrew);
  }

  /** The account's name, as it appears in stats, errors and leak reports. */
  public String name() {
    return name;
  }

  /** The arena this account draws from. */
  public Arena arena() {
    return arena;
  }

  /** The execution scope this account belongs to, or null for an account opened on the arena. */
  public ExecutionScope scope() {
    return scope;
  }

  /**
   * Opens another account beside this one: in the same execution scope (so it counts toward the
   * execution and ends with it), or on the arena for an account of the arena. For operators that
   * need memory of their own next to the blocks they receive (a sink holding blocks).
   */
  public Account sibling(String accountName) {
    return scope != null ? scope.open(accountName) : arena.openAccount(accountName);
  }

  /**
   * The Arrow allocator to build vectors in; what it allocates is charged to this account. Wrap
   * allocating code in {@link #allocate(Supplier)} to get typed limit errors.
   */
  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * A charge for memory this account's operator holds on the heap (a hash table of Java
   * objects), empty at first: what it is set to counts like a buffer of this account until it is
   * closed. See {@link HeapCharge}.
   */
  public HeapCharge heapCharge() {
    return new HeapCharge(this, arena.physical());
  }

  /** Bytes charged to this account now. */
  public long heldBytes() {
    return allocator.getAllocatedMemory();
  }

  /** The most bytes this account held at once. */
  public long peakBytes() {
    return allocator.getPeakMemoryAllocation();
  }

  /** The governor's target for this account, in bytes. */
  public long budgetBytes() {
    return budgetBytes;
  }

  /**
   * Changes the budget the governor steers this account by; it may be above what is held. A
   * raise fires the room signal.
   */
  public void setBudget(long budgetBytes) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("budgetBytes must be >= 0, was " + budgetBytes);
    }
    long before = this.budgetBytes;
    this.budgetBytes = budgetBytes;
    if (budgetBytes > before) {
      roomGrew();
    }
  }

  /**
   * Sets the room signal's listener (null removes it; an account has one): called after memory
   * charged here is released or moved to another account, and after the budget is raised. It
   * runs on the thread that freed the memory or changed the budget, possibly often (once per
   * released buffer), so it must be quick and never block: flag and schedule, do not work.
   */
  public void onRoom(Runnable listener) {
    this.roomListener = listener;
  }

  /** Fires the room signal. */
  void roomGrew() {
    Runnable listener = roomListener;
    if (listener != null) {
      listener.run();
    }
  }

  /** Bytes this account may still take before reaching its budget (never negative). */
  public long roomBytes() {
    return Math.max(0, budgetBytes - heldBytes());
  }

  /**
   * Bytes the level above this account can still give before its limit refuses: its execution
   * scope's headroom (the execution's cap or the arena's limit, whichever is nearer), or the
   * arena's for an account of the arena.
   */
  public long headroomBytes() {
    return scope != null ? scope.headroomBytes() : arena.headroomBytes();
  }

  /** The bytes no allocation or transfer may take this account past. */
  public long hardLimitBytes() {
    return allocator.getLimit();
  }

  /** A snapshot of this account's usage. */
  public AccountUsage usage() {
    return new AccountUsage(name, heldBytes(), peakBytes(), budgetBytes, hardLimitBytes());
  }

  /**
   * Runs code that allocates in this account, turning Arrow's {@link OutOfMemoryException} into a
   * {@link MemoryLimitExceededException} that names the account, the request and the limit.
   */
  public <T> T allocate(Supplier<T> allocating) {
    Objects.requireNonNull(allocating, "allocating");
    try {
      return allocating.get();
    } catch (OutOfMemoryException e) {
      throw limitExceeded(AccountListener.lastFailedRequest(), e);
    }
  }

  /** A block moved into this account: its scope's held bytes may have reached a new peak. */
  void arrived() {
    if (scope != null) {
      scope.sample();
    }
  }

  /** Builds the typed error for a request of {@code bytes} that a hard limit refused. */
  MemoryLimitExceededException limitExceeded(long bytes, Throwable cause) {
    return limitExceeded(bytes, MemoryLimitExceededException.ADVICE, cause);
  }

  /** {@link #limitExceeded(long, Throwable)} advising {@code advice}. */
  MemoryLimitExceededException limitExceeded(long bytes, String advice, Throwable cause) {
    long accountLimit = hardLimitBytes();
    long parentLimit = scope != null ? scope.limitBytes() : arena.limitBytes();
    if (heldBytes() + bytes > accountLimit && accountLimit < parentLimit) {
      return new MemoryLimitExceededException(
          name, "account '" + name + "'", bytes, heldBytes(), accountLimit, advice, cause);
    }
    if (scope != null && scope.heldBytes() + bytes > scope.limitBytes()
        && scope.limitBytes() < arena.limitBytes()) {
      return new MemoryLimitExceededException(name, "execution '" + scope.name() + "'", bytes,
          scope.heldBytes(), scope.limitBytes(), advice, cause);
    }
    return new MemoryLimitExceededException(
        name, "arena '" + arena.name() + "'", bytes, arena.allocatedBytes(), arena.limitBytes(),
        advice, cause);
  }

  /**
   * Closes the account now if it holds nothing, otherwise as soon as the arena notices it is
   * empty (on its next {@code openAccount}, {@code usage} or {@code close}): for an operator
   * whose last output blocks are still with a consumer.
   */
  public void closeWhenEmpty() {
    retiring = true;
    closeIfRetiredAndEmpty();
  }

  /**
   * Closes this account if {@link #closeWhenEmpty()} was called and it holds nothing now. A
   * block arriving meanwhile (a late upstream emission after a cancel) leaves it open for a
   * later sweep; this never throws.
   */
  synchronized boolean closeIfRetiredAndEmpty() {
    if (!retiring || closed || heldBytes() != 0) {
      return false;
    }
    try {
      close();
      return true;
    } catch (MemoryLeakException | IllegalStateException e) {
      return false;
    }
  }

  /**
   * Closes the account.
   *
   * @throws MemoryLeakException if blocks still hold memory charged to it
   */
  @Override
  public void close() {
    long held = heldBytes();
    if (held > 0) {
      throw new MemoryLeakException(
          "account '" + name + "' closed while holding " + Bytes.format(held)
              + "; close or transfer its blocks first",
          held);
    }
    allocator.close();
    closed = true;
    arena.forget(this);
  }

  @Override
  public String toString() {
    return "Account[" + name + ", " + Bytes.format(heldBytes()) + " held, budget "
        + Bytes.format(budgetBytes) + "]";
  }
}
