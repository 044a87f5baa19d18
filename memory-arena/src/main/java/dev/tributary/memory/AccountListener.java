package dev.tributary.memory;

import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.AllocationOutcome;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The Arrow allocation listener of one account: feeds the arena's physical counter, lets the
 * account's execution scope (if any) measure its peak, tells the account when memory is released
 * (its room signal), asks the arena to reclaim dropped blocks when an allocation is refused, and
 * remembers, per thread, the size of the last refused request so limit errors can name it.
 */
final class AccountListener implements AllocationListener {
  private static final ThreadLocal<long[]> LAST_FAILED = ThreadLocal.withInitial(() -> new long[1]);

  private final Arena arena;
  private final PhysicalMemory physical;
  private final String account;
  private final ExecutionScope scope;
  /** The account's allocator, set once it exists (the listener is made first). */
  private volatile BufferAllocator allocator;
  /** Runs after each release (the owning account's room signal); null until the account is made. */
  private volatile Runnable released;

  AccountListener(Arena arena, PhysicalMemory physical, String account, ExecutionScope scope) {
    this.arena = arena;
    this.physical = physical;
    this.account = account;
    this.scope = scope;
  }

  void allocator(BufferAllocator allocator) {
    this.allocator = allocator;
  }

  @Override
  public void onAllocation(long size) {
    physical.allocated(size);
    if (scope != null) {
      scope.sample();
    }
  }

  @Override
  public void onRelease(long size) {
    physical.released(size);
    Runnable r = released;
    if (r != null) {
      r.run();
    }
  }

  /** Runs {@code action} after each release from now on. */
  void onReleased(Runnable action) {
    released = action;
  }

  /** Arrow retries the allocation once when this returns true. */
  @Override
  public boolean onFailedAllocation(long size, AllocationOutcome outcome) {
    LAST_FAILED.get()[0] = size;
    BufferAllocator a = allocator;
    return a != null && arena.reclaim(() -> a.getHeadroom() >= size);
  }

  /** The size of the last allocation this thread had refused, in bytes (0 if none). */
  static long lastFailedRequest() {
    return LAST_FAILED.get()[0];
  }

  @Override
  public String toString() {
    return "AccountListener[" + account + "]";
  }
}
