package dev.tributary.memory;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.arrow.memory.AllocationReservation;

/**
 * Memory an operator holds outside Arrow buffers (a hash table of Java objects on the heap),
 * charged to its {@link Account} as if it were a buffer: it counts in the account's held bytes
 * (so the governor and the account's hard limit see it), in its execution's and the arena's
 * allocated bytes and peak, and in leak checks until {@link #close()}d.
 *
 * <p>The charge follows an estimate the operator keeps ({@link #trySet}, {@link #set}), rounded
 * up to whole {@link #GRANULE}s so that the accounting stays cheap. One thread at a time changes
 * a charge; {@link #close()} may come from another (a cancel) and is safe against a change.
 */
public final class HeapCharge implements AutoCloseable {
  /** The charge's unit: estimates are rounded up to a whole number of these (a power of two). */
  public static final long GRANULE = 64 << 10;

  private final Account account;
  private final PhysicalMemory physical;
  /** Arrow reservations of power-of-two sizes, newest last; together they are the charge. */
  private final Deque<AllocationReservation> parts = new ArrayDeque<>();
  private long bytes;
  private boolean closed;

  HeapCharge(Account account, PhysicalMemory physical) {
    this.account = account;
    this.physical = physical;
  }

  /** The bytes charged now (a multiple of {@link #GRANULE}). */
  public synchronized long bytes() {
    return bytes;
  }

  /**
   * Makes the charge {@code estimate} bytes (rounded up to a granule). Returns false when the
   * growth would take the account, its execution or the arena past a hard limit; the charge is
   * then no larger than before.
   *
   * @throws IllegalStateException if the charge was closed
   */
  public synchronized boolean trySet(long estimate) {
    if (closed) {
      throw new IllegalStateException("heap charge of account '" + account.name() + "' is closed");
    }
    long before = bytes;
    long target = granules(estimate);
    // Whole parts are released, possibly below the target; the rest is added back below.
    while (bytes > target) {
      AllocationReservation part = parts.removeLast();
      bytes -= part.getSizeLong();
      part.close();
    }
    // Arrow rounds a reservation up to a power of two: what is missing is added as one
    // reservation per set bit of its granule count, each exact.
    int added = 0;
    boolean granted = true;
    while (bytes < target) {
      long size = Long.highestOneBit((target - bytes) / GRANULE) * GRANULE;
      AllocationReservation part = account.allocator().newReservation();
      if (!part.add(size)) {
        part.close();
        for (; added > 0; added--) {
          AllocationReservation undo = parts.removeLast();
          bytes -= undo.getSizeLong();
          undo.close();
        }
        granted = false;
        break;
      }
      parts.addLast(part);
      bytes += size;
      added++;
    }
    if (bytes > before) {
      physical.allocated(bytes - before);
      account.arrived();
    } else if (bytes < before) {
      physical.released(before - bytes);
      account.roomGrew();
    }
    return granted;
  }

  /**
   * Like {@link #trySet}, but a refused growth is an error.
   *
   * @throws MemoryLimitExceededException naming the account and the limit that refused it
   */
  public synchronized void set(long estimate) {
    set(estimate, MemoryLimitExceededException.ADVICE);
  }

  /**
   * Like {@link #set(long)}, the error's message ending with {@code advice} (what the user can
   * do about it, in the operator's terms).
   *
   * @throws MemoryLimitExceededException naming the account and the limit that refused it
   */
  public synchronized void set(long estimate, String advice) {
    if (!trySet(estimate)) {
      throw account.limitExceeded(granules(estimate) - bytes, advice, null);
    }
  }

  /** Releases the whole charge; the charge cannot be used after. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      trySet(0);
      closed = true;
    }
  }

  private static long granules(long estimate) {
    return Math.max(0, (estimate + GRANULE - 1) / GRANULE * GRANULE);
  }

  @Override
  public synchronized String toString() {
    return "HeapCharge[" + account.name() + ", " + Bytes.format(bytes) + "]";
  }
}
