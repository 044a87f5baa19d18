package dev.tributary.memory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.BufferLedger;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * An arena's Arrow allocation manager: native memory from {@code Unsafe}, exactly as {@code
 * arrow-memory-unsafe}'s, plus the list of allocations not yet freed, which Arrow itself keeps only
 * in its debug mode. With it, an execution that ended can give back memory nothing will touch
 * again (a vector a user function allocated before it threw) through Arrow's own bookkeeping,
 * instead of leaving it charged to the arena for good (Flink's {@code releaseAllMemory(owner)}).
 */
final class Allocations implements AllocationManager.Factory {
  private static final ArrowBuf EMPTY =
      new ArrowBuf(ReferenceManager.NO_OP, null, 0, MemoryUtil.allocateMemory(0));
  /**
   * Arrow's {@code AllocationManager.getOwningLedger()}, package-private: reachable on the class
   * path (where Arrow's packages are open), null on a module path that does not open them; then
   * leftovers are reported but stay charged.
   */
  private static final MethodHandle OWNING_LEDGER = owningLedger();

  private final Set<Allocation> live = ConcurrentHashMap.newKeySet();

  @Override
  public AllocationManager create(BufferAllocator accountingAllocator, long size) {
    return new Allocation(accountingAllocator, size);
  }

  @Override
  public ArrowBuf empty() {
    return EMPTY;
  }

  /** Whether memory left by an ended owner can be released (see {@link #OWNING_LEDGER}). */
  static boolean canRelease() {
    return OWNING_LEDGER != null;
  }

  /**
   * Releases every allocation whose owner {@code owners} accepts, except those in {@code keep},
   * and returns the bytes released per owner. Only for memory whose users are gone: the owners'
   * work has ended, so no thread reads or writes it any more.
   */
  Map<BufferAllocator, Long> releaseOwnedBy(Predicate<BufferAllocator> owners,
      Set<AllocationManager> keep) {
    Map<BufferAllocator, Long> released = new IdentityHashMap<>();
    if (OWNING_LEDGER == null) {
      return released;
    }
    for (Allocation a : live) {
      if (keep.contains(a)) {
        continue;
      }
      // Releasing the owner's references hands the memory to another ledger if one still shares
      // it (Arrow moves ownership then), so repeat while an owner in the set holds it.
      BufferLedger ledger = owner(a);
      BufferAllocator charged = null;
      while (ledger != null && owners.test(ledger.getAllocator())
          && ledger.getRefCount() > 0) {
        charged = ledger.getAllocator();
        ledger.release(ledger.getRefCount());
        ledger = live.contains(a) ? owner(a) : null;
      }
      if (charged != null && !live.contains(a)) {
        released.merge(charged, a.getSize(), Long::sum);
      }
    }
    return released;
  }

  /** Releases every allocation not yet freed: the arena is closing. */
  void releaseAll() {
    releaseOwnedBy(allocator -> true, Set.of());
  }

  private static BufferLedger owner(Allocation allocation) {
    try {
      return (BufferLedger) OWNING_LEDGER.invoke(allocation);
    } catch (Throwable e) {
      throw new IllegalStateException("Arrow's owning ledger is not readable", e);
    }
  }

  private static MethodHandle owningLedger() {
    try {
      return MethodHandles.privateLookupIn(AllocationManager.class, MethodHandles.lookup())
          .findVirtual(AllocationManager.class, "getOwningLedger",
              MethodType.methodType(BufferLedger.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** One allocation of native memory, listed while it is not freed. */
  private final class Allocation extends AllocationManager {
    private final long address;
    private final long size;

    Allocation(BufferAllocator accountingAllocator, long size) {
      super(accountingAllocator);
      this.address = MemoryUtil.allocateMemory(size);
      this.size = size;
      live.add(this);
    }

    @Override
    public long getSize() {
      return size;
    }

    @Override
    protected long memoryAddress() {
      return address;
    }

    @Override
    protected void release0() {
      live.remove(this);
      MemoryUtil.freeMemory(address);
    }
  }
}
