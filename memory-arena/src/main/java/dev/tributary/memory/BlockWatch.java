package dev.tributary.memory;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferLedger;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Watches a block handed out of an execution (to a {@code toFlux()} subscriber) that its receiver
 * must close: if it never does, a {@link Cleaner} gives the memory back once no object that can
 * read it is reachable, and the scope reports the leak naming the execution and operator.
 *
 * <p>The trigger is the block's Arrow buffers, not the {@code Block} object: a receiver may keep
 * a vector or the root and drop the block, and memory must never be freed under a reader. The
 * watch holds only the buffers' ledgers (which do not reference the buffers), and releases one
 * reference per buffer once all of them are unreachable: what closing the block's vectors does.
 */
final class BlockWatch implements Runnable {
  /** One process-wide cleaner thread, like java.nio's for direct buffers. */
  private static final Cleaner CLEANER = Cleaner.create(r -> {
    Thread t = new Thread(r, "tributary-cleaner");
    t.setDaemon(true);
    return t;
  });

  private final ExecutionScope scope;
  private final String operator;
  private final Account owner;
  private final long bytes;
  /**
   * The block's spent flag: whoever sets it (close, transfer, reclaim, a forced release) ends the
   * block's memory.
   */
  private final AtomicReference<String> spent;
  /** One entry per buffer the block's vectors hold a reference to. */
  private final List<ReferenceManager> references = new ArrayList<>();
  private final List<Cleaner.Cleanable> cleanables = new ArrayList<>();
  private final AtomicInteger unreachable = new AtomicInteger();
  private final AtomicBoolean ended = new AtomicBoolean();

  private BlockWatch(ExecutionScope scope, String operator, Account owner, long bytes,
      AtomicReference<String> spent) {
    this.scope = scope;
    this.operator = operator;
    this.owner = owner;
    this.bytes = bytes;
    this.spent = spent;
  }

  /** Starts watching the buffers of {@code root}, a block of {@code owner} of {@code bytes}. */
  static BlockWatch of(ExecutionScope scope, String operator, Account owner, long bytes,
      AtomicReference<String> spent, VectorSchemaRoot root) {
    BlockWatch watch = new BlockWatch(scope, operator, owner, bytes, spent);
    Set<ArrowBuf> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<ArrowBuf> buffers = new ArrayList<>();
    for (FieldVector v : root.getFieldVectors()) {
      collect(v, seen, buffers);
    }
    for (ArrowBuf buf : buffers) {
      watch.references.add(buf.getReferenceManager());
    }
    scope.watched(watch);
    // Register last: a cleaner may run as soon as it is registered (if the block is dropped).
    for (ArrowBuf buf : buffers) {
      watch.cleanables.add(CLEANER.register(buf, watch));
    }
    if (buffers.isEmpty()) {
      watch.disarm();
    }
    return watch;
  }

  private static void collect(FieldVector vector, Set<ArrowBuf> seen, List<ArrowBuf> out) {
    for (ArrowBuf buf : vector.getFieldBuffers()) {
      if (buf != null && buf.getReferenceManager() != ReferenceManager.NO_OP && seen.add(buf)) {
        out.add(buf);
      }
    }
    for (FieldVector child : vector.getChildrenFromFields()) {
      collect(child, seen, out);
    }
  }

  /** The account the block belonged to when handed out. */
  Account owner() {
    return owner;
  }

  /** The block's bytes. */
  long bytes() {
    return bytes;
  }

  /** The scope of the execution the block came from. */
  ExecutionScope scope() {
    return scope;
  }

  /** The operator that handed the block out. */
  String operator() {
    return operator;
  }

  /** The allocations the watched buffers live in (a sweep of ended work must keep them). */
  void allocations(Set<AllocationManager> out) {
    for (ReferenceManager r : references) {
      if (r instanceof BufferLedger ledger) {
        out.add(ledger.getAllocationManager());
      }
    }
  }

  /** The block was closed or moved by its receiver: stop watching. */
  void disarm() {
    if (ended.compareAndSet(false, true)) {
      for (Cleaner.Cleanable c : cleanables) {
        c.clean(); // runs this watch once more, which finds the block spent
      }
      scope.unwatched(this);
    }
  }

  /**
   * Releases the block's memory now, unless it was closed or moved: for a runtime that closes
   * with the block still open. The block is spent afterwards (using it fails as closed).
   */
  void releaseNow(String why) {
    if (spent.compareAndSet(null, why)) {
      release();
      disarm();
    }
  }

  /** Cleaner action: one of the buffers became unreachable; the last one ends the block. */
  @Override
  public void run() {
    if (unreachable.incrementAndGet() == cleanables.size()
        && spent.compareAndSet(null, "reclaimed after it became unreachable")
        && ended.compareAndSet(false, true)) {
      // Reported before the memory comes back, so whoever waits for the memory sees the report.
      scope.reclaiming(this);
      release();
      scope.unwatched(this);
    }
  }

  private void release() {
    for (ReferenceManager r : references) {
      r.release();
    }
  }
}
