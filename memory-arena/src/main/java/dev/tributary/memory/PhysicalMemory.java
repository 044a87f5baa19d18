package dev.tributary.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the physical bytes of one arena and their peak, fed by allocation listeners.
 *
 * <p>Arrow's own accountants count a buffer twice while it moves between allocators; this
 * counter only sees real allocations and releases, so it is the arena's true footprint.
 */
final class PhysicalMemory {
  private final AtomicLong allocated = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();

  void allocated(long bytes) {
    long now = allocated.addAndGet(bytes);
    peak.accumulateAndGet(now, Math::max);
  }

  void released(long bytes) {
    allocated.addAndGet(-bytes);
  }

  long allocated() {
    return allocated.get();
  }

  long peak() {
    return peak.get();
  }

  void resetPeak() {
    peak.set(allocated.get());
  }
}
