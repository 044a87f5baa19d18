package dev.tributary.memory;

import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.AllocationOutcome;

/**
 * The Arrow allocation listener of one account: feeds the arena's physical counter, lets the
 * account's group (if any) measure its peak, tells the account when memory is released (its room
 * signal), and remembers, per thread, the size of the last refused request so limit errors can
 * name it.
 */
final class AccountListener implements AllocationListener {
  private static final ThreadLocal<long[]> LAST_FAILED = ThreadLocal.withInitial(() -> new long[1]);

  private final PhysicalMemory physical;
  private final String account;
  private final AccountGroup group;
  /** Runs after each release (the owning account's room signal); null until the account is made. */
  private volatile Runnable released;

  AccountListener(PhysicalMemory physical, String account, AccountGroup group) {
    this.physical = physical;
    this.account = account;
    this.group = group;
  }

  @Override
  public void onAllocation(long size) {
    physical.allocated(size);
    if (group != null) {
      group.sample();
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

  @Override
  public boolean onFailedAllocation(long size, AllocationOutcome outcome) {
    LAST_FAILED.get()[0] = size;
    return false;
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
