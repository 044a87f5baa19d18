package dev.tributary.memory;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The memory of one execution: an Arrow child allocator of the arena holding at most the
 * execution's cap, with one {@link Account} per operator below it (arena, scope, account: three
 * levels, as Flink's memory is reserved per owner).
 *
 * <p>Closing the scope is the end of the execution's memory: what its accounts still hold is
 * released at once and reported, naming each account (its operator) and the execution, through
 * the scope's leak handler. Blocks {@linkplain #handOut handed out} to a receiver that must close
 * them are not taken back; the scope finishes closing when the last of them is closed or, if its
 * receiver dropped it, reclaimed by a cleaner (and reported) once unreachable.
 *
 * <p>The scope also measures the execution's own peak: the most its accounts held at once,
 * sampled after every allocation in one of them and every block moved into one.
 */
public final class ExecutionScope {
  private static final String ADVICE = "Close every block toFlux() hands you, or consume with"
      + " toFlux(block -> ...), iterator(), iterBatches or iterRows";

  private final Arena arena;
  private final String name;
  private final long limitBytes;
  private final BufferAllocator allocator;
  private final Consumer<MemoryLeakException> onLeak;
  private final List<Account> accounts = new CopyOnWriteArrayList<>();
  private final Set<BlockWatch> handedOut = ConcurrentHashMap.newKeySet();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicLong reclaimedBlocks = new AtomicLong();
  private final AtomicLong reclaimedBytes = new AtomicLong();
  private volatile String reclaimedOperator;
  private final AtomicBoolean ending = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  ExecutionScope(Arena arena, String name, long limitBytes, BufferAllocator allocator,
      Consumer<MemoryLeakException> onLeak) {
    this.arena = arena;
    this.name = name;
    this.limitBytes = limitBytes;
    this.allocator = allocator;
    this.onLeak = onLeak;
  }

  /** The execution's name, as leak reports and limit errors give it. */
  public String name() {
    return name;
  }

  /** The arena the scope draws from. */
  public Arena arena() {
    return arena;
  }

  /** The most bytes the execution's accounts may hold together. */
  public long limitBytes() {
    return limitBytes;
  }

  /**
   * Opens an account of this scope whose budget and hard limit are the scope's limit.
   *
   * @throws IllegalStateException if the scope is closed
   */
  public Account open(String accountName) {
    if (ending.get()) {
      throw new IllegalStateException("execution scope '" + name + "' is closed");
    }
    Account account = arena.openAccount(allocator, this, accountName, limitBytes, limitBytes);
    accounts.add(account);
    return account;
  }

  /** The accounts opened so far, in opening order. */
  public List<Account> accounts() {
    return List.copyOf(accounts);
  }

  /** Bytes the scope's accounts hold now. */
  public long heldBytes() {
    long held = 0;
    for (Account a : accounts) {
      held += a.heldBytes();
    }
    return held;
  }

  /**
   * Bytes the execution's accounts may still allocate together before its cap, or the arena's
   * limit if that is nearer, refuses.
   */
  public long headroomBytes() {
    return Math.max(0, Math.min(limitBytes - heldBytes(), arena.headroomBytes()));
  }

  /** The most bytes the scope's accounts held at once. */
  public long peakBytes() {
    return peak.get();
  }

  /** Blocks handed out and neither closed nor reclaimed yet. */
  public int handedOutBlocks() {
    return handedOut.size();
  }

  /**
   * Marks {@code block} (owned by an account of this scope) as handed to a receiver that must
   * close it; returns it. If the receiver drops it unclosed, its memory comes back once it is
   * unreachable and the leak is reported naming this execution and {@code operator}.
   */
  public Block handOut(Block block, String operator) {
    Objects.requireNonNull(operator, "operator");
    if (block.owner().scope() != this) {
      throw new IllegalArgumentException("block of account '" + block.owner().name()
          + "' is not in execution '" + name + "'");
    }
    block.watch(this, operator);
    return block;
  }

  void watched(BlockWatch watch) {
    handedOut.add(watch);
    arena.watchedBlocks(1);
  }

  /**
   * A handed-out block its receiver dropped is about to be reclaimed: the first is reported at
   * once, the others counted and reported together when the scope finishes closing.
   */
  void reclaiming(BlockWatch watch) {
    if (reclaimedBlocks.incrementAndGet() == 1) {
      reclaimedOperator = watch.operator();
      onLeak.accept(new MemoryLeakException("execution '" + name + "': a block of "
          + Bytes.format(watch.bytes()) + " handed out by operator '" + watch.operator()
          + "' was never closed; its memory was reclaimed once it became unreachable. " + ADVICE,
          watch.bytes()));
    }
    reclaimedBytes.addAndGet(watch.bytes());
  }

  /** A handed-out block was closed, moved or reclaimed. */
  void unwatched(BlockWatch watch) {
    if (handedOut.remove(watch)) {
      arena.watchedBlocks(-1);
    }
    if (ending.get() && handedOut.isEmpty()) {
      finish();
    }
  }

  void sample() {
    // Arrow charges a buffer moving between two accounts to the receiver an instant before it
    // releases the sender, so a sample taken during another thread's move counts that buffer
    // twice. Allocations cannot pass the cap (the scope's allocator refuses them) and a move that
    // would is undone, so what lies above the cap is that double count, never memory.
    long held = Math.min(heldBytes(), limitBytes);
    if (held > peak.get()) {
      peak.accumulateAndGet(held, Math::max);
    }
  }

  /**
   * Ends the execution's memory; call it once nothing of the execution runs any more. What the
   * accounts still hold, apart from blocks handed out and not yet closed, is released now and
   * reported to the leak handler, naming each account and how much it held. The accounts and the
   * scope close once the handed-out blocks are closed or reclaimed.
   */
  public void close() {
    if (!ending.compareAndSet(false, true)) {
      return;
    }
    // Blocks still out with their receiver stay; what they hold is theirs. A receiver closing
    // one meanwhile frees its memory before it leaves this set, so nothing is freed twice.
    Set<AllocationManager> keep = Collections.newSetFromMap(new IdentityHashMap<>());
    for (BlockWatch w : List.copyOf(handedOut)) {
      w.allocations(keep);
    }
    Map<BufferAllocator, Long> released = arena.allocations().releaseOwnedBy(
        a -> accounts.stream().anyMatch(account -> account.allocator() == a), keep);
    StringBuilder leaks = new StringBuilder();
    long leaked = 0;
    for (Account a : accounts) {
      long left = released.getOrDefault(a.allocator(), 0L);
      if (!Allocations.canRelease()) {
        // Nothing can be released: name what is held beyond the blocks still out.
        long out = 0;
        for (BlockWatch w : handedOut) {
          out += w.owner() == a ? w.bytes() : 0;
        }
        left = Math.max(0, a.heldBytes() - out);
      }
      if (left > 0) {
        leaked += left;
        leaks.append("\n  operator '").append(a.name()).append("': ").append(Bytes.format(left));
      }
    }
    if (leaked > 0) {
      boolean freed = Allocations.canRelease();
      onLeak.accept(new MemoryLeakException("execution '" + name + "' ended with "
          + Bytes.format(leaked) + " its operators did not release"
          + (freed ? " (released now)" : " (still charged: Arrow's ledgers are not open to"
              + " Tributary on this module path)")
          + "; a function that allocates must close what it does not return:" + leaks, leaked));
    }
    if (handedOut.isEmpty()) {
      finish();
    }
  }

  /** Whether the scope has closed completely (its accounts and allocator). */
  public boolean isClosed() {
    return closed.get();
  }

  private void finish() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long blocks = reclaimedBlocks.get();
    if (blocks > 1) {
      onLeak.accept(new MemoryLeakException("execution '" + name + "': " + blocks
          + " blocks (" + Bytes.format(reclaimedBytes.get()) + ") handed out by operator '"
          + reclaimedOperator + "' were never closed, the first reported before; all were"
          + " reclaimed once unreachable. " + ADVICE, reclaimedBytes.get()));
    }
    closeAllocator();
  }

  /**
   * Releases the blocks handed out and ends the scope without a report: the arena is closing,
   * releases the rest itself and reports everything in one error.
   */
  void releaseAll(String why) {
    ending.set(true);
    closed.set(true);
    for (BlockWatch w : List.copyOf(handedOut)) {
      w.releaseNow(why);
    }
  }

  /**
   * Closes the accounts that are empty and, once all are, the allocator; an account that still
   * holds memory (Arrow's ledgers not open to Tributary) closes when it empties.
   */
  void closeAllocator() {
    for (Account a : accounts) {
      a.closeWhenEmpty();
    }
    if (closed.get() && allocator.getChildAllocators().isEmpty()) {
      allocator.close();
      arena.forget(this);
    }
  }

  @Override
  public String toString() {
    return "ExecutionScope[" + name + ", " + Bytes.format(heldBytes()) + " held of "
        + Bytes.format(limitBytes) + ", " + handedOut.size() + " blocks handed out]";
  }
}
