package dev.tributary.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * An immutable Arrow record batch owned by exactly one {@link Account}: the unit a Tributary
 * pipeline streams.
 *
 * <p>The owner is charged for the block's memory until the block is closed or moved with {@link
 * #transferTo(Account)}, which is zero-copy: the buffers stay where they are and the charge moves.
 * After a transfer the old {@code Block} object is spent; using it, or closing any block twice,
 * throws {@link BlockClosedException}.
 *
 * <p>{@link #retain()} makes a second handle to the same buffers (Arrow's reference counting):
 * each handle is closed on its own, and the memory is freed when the last one closes. A block
 * with another open handle cannot be transferred: the buffers would move under the other handle.
 *
 * <p>{@link #root()} and {@link #vector(String)} expose the Arrow vectors for reading; writing to
 * them breaks the immutability every operator relies on. Blocks are built from Java values and
 * read back as Java values in the {@code columnar} module ({@code dev.tributary.columnar}); this
 * class knows memory, not column types. A block is not safe for concurrent use
 * of {@link #transferTo}/{@link #close}; reads from several threads are fine.
 */
public final class Block implements AutoCloseable {
  /** Replaced only when a refused transfer moves the buffers back (see transferTo). */
  private VectorSchemaRoot root;
  private final Account owner;
  private final long sizeBytes;
  /** Null while usable; otherwise why it is not (closed, or moved to another account). */
  private final AtomicReference<String> spent = new AtomicReference<>();
  /** Set while the block is out with a receiver that must close it (see {@link BlockWatch}). */
  private volatile BlockWatch watch;
  /**
   * The spent flags of every handle to these buffers made by {@link #retain()}, this one's
   * included: open ones are those still null, whoever spent the others (close, transfer, a watch).
   */
  private final List<AtomicReference<String>> handles;

  /**
   * The one place a block gets its schema: every factory and move ends here.
   *
   * @throws ColumnException if two columns share a name
   */
  private Block(VectorSchemaRoot root, Account owner) {
    this(root, owner, true);
  }

  /** With {@code checkNames} false for a slice: its columns are those of a checked block. */
  private Block(VectorSchemaRoot root, Account owner, boolean checkNames) {
    if (checkNames) {
      requireUniqueNames(root.getSchema().getFields());
    }
    this.root = root;
    this.owner = owner;
    this.sizeBytes = measure(root);
    this.handles = new CopyOnWriteArrayList<>(List.of(spent));
  }

  /** A further handle to the buffers of {@code root}, which {@code first} already holds. */
  private Block(VectorSchemaRoot root, Block first) {
    this.root = root;
    this.owner = first.owner;
    this.sizeBytes = first.sizeBytes;
    this.handles = first.handles;
    handles.removeIf(h -> h.get() != null);
    handles.add(spent);
  }

  /**
   * Wraps a record batch whose vectors were allocated by {@code owner.allocator()}; the block
   * takes ownership of the root and closes it when closed.
   *
   * @throws IllegalArgumentException if a vector was allocated elsewhere
   * @throws ColumnException if two columns share a name; the root is closed then
   */
  public static Block wrap(VectorSchemaRoot root, Account owner) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(owner, "owner");
    for (FieldVector v : root.getFieldVectors()) {
      // A null-typed vector holds no memory and has no allocator.
      if (!(v instanceof NullVector) && v.getAllocator() != owner.allocator()) {
        throw new IllegalArgumentException(
            "vector '" + v.getName() + "' was allocated by '" + v.getAllocator().getName()
                + "', not by account '" + owner.name() + "'");
      }
    }
    try {
      return new Block(root, owner);
    } catch (ColumnException e) {
      root.close();
      throw e;
    }
  }

  /**
   * Moves every vector of {@code source} into a new block owned by {@code owner}, without
   * copying; {@code source} is left empty. For record batches the caller may not keep, such as
   * the root an Arrow IPC reader reuses for each batch. Its buffers must live in {@code owner}'s
   * arena.
   */
  public static Block adopt(VectorSchemaRoot source, Account owner) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(owner, "owner");
    VectorSchemaRoot moved = move(source, owner.allocator());
    try {
      Block block = new Block(moved, owner);
      owner.arrived();
      return block;
    } catch (ColumnException e) {
      moved.close();
      throw e;
    }
  }

  /** The block's schema. */
  public Schema schema() {
    ensureUsable();
    return root.getSchema();
  }

  /** The number of rows. */
  public int rowCount() {
    ensureUsable();
    return root.getRowCount();
  }

  /**
   * The off-heap bytes this block pins: the size of every allocation its buffers live in (a
   * slice reports the allocations it shares with its parent).
   */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** The account charged for this block. */
  public Account owner() {
    return owner;
  }

  /** Whether the block was closed or transferred away. */
  public boolean isClosed() {
    return spent.get() != null;
  }

  /** The Arrow record batch, for reading only. */
  public VectorSchemaRoot root() {
    ensureUsable();
    return root;
  }

  /**
   * The vector of a column, for reading only.
   *
   * @throws ColumnException if there is no such column
   */
  public FieldVector vector(String column) {
    ensureUsable();
    FieldVector v = root.getVector(column);
    if (v == null) {
      throw new ColumnException(
          column, "no such column; the block has " + root.getSchema().getFields().stream()
              .map(f -> f.getName()).toList());
    }
    return v;
  }

  /**
   * A second handle to this block's buffers, charged to the same account: Arrow's reference
   * count on every buffer goes up by one, so closing either handle leaves the other readable and
   * the memory is freed when the last handle closes. For whoever must keep a block beyond a call
   * that consumes it (a block transform returning its input retains it and closes the input).
   * Nothing is copied and nothing is allocated.
   *
   * <p>While another handle is open, {@link #transferTo} refuses: the buffers would move under
   * it. Close the other handles first.
   *
   * @throws BlockClosedException if this block was closed or transferred away
   */
  public Block retain() {
    ensureUsable();
    // Unload/load is Arrow's own zero-copy hand-over: the batch and the loaded vectors each take
    // a reference to every buffer; closing the batch drops its own again.
    VectorSchemaRoot shared = VectorSchemaRoot.create(root.getSchema(), owner.allocator());
    try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
      new VectorLoader(shared, NoCompressionCodec.Factory.INSTANCE).load(batch);
    } catch (RuntimeException e) {
      shared.close();
      throw e;
    }
    return new Block(shared, this);
  }

  /** Whether another handle made by {@link #retain()} is still open besides this one. */
  private boolean retainedElsewhere() {
    for (AtomicReference<String> h : handles) {
      if (h != spent && h.get() == null) {
        return true;
      }
    }
    return false;
  }

  /**
   * Moves this block to {@code target} without copying: the buffers are now charged to the
   * target, and the returned block is the only usable handle to them. Moving to the current owner
   * returns this block.
   *
   * @throws MemoryLimitExceededException if the target's hard limit cannot take the block; this
   *     block is then still usable and still owned by its old account
   * @throws IllegalArgumentException if the target belongs to another arena
   * @throws IllegalStateException if another handle made by {@link #retain()} is still open
   */
  public Block transferTo(Account target) {
    Objects.requireNonNull(target, "target");
    ensureUsable();
    if (target == owner) {
      return this;
    }
    if (retainedElsewhere()) {
      throw new IllegalStateException(
          "block of account '" + owner.name() + "' cannot move to account '" + target.name()
              + "' while another handle from retain() is open; close that handle first");
    }
    if (target.arena() != owner.arena()) {
      throw new IllegalArgumentException(
          "account '" + target.name() + "' is in arena '" + target.arena().name()
              + "', this block in '" + owner.arena().name()
              + "'; blocks move only between accounts of one arena");
    }
    if (target.heldBytes() + sizeBytes > target.hardLimitBytes()
        || target.scope() != owner.scope() && target.scope() != null
            && target.scope().heldBytes() + sizeBytes > target.scope().limitBytes()) {
      throw target.limitExceeded(sizeBytes, null);
    }
    VectorSchemaRoot source = root;
    Block moved = new Block(move(source, target.allocator()), target);
    // Arrow lets a transfer overdraw the receiver (transferOwnership reports allocationFit=false
    // and carries on). Another thread may have filled the target since the check above: undo.
    if (target.heldBytes() > target.hardLimitBytes()) {
      root = move(moved.root, owner.allocator());
      moved.root.close();
      source.close();
      throw target.limitExceeded(sizeBytes, null);
    }
    markSpent("transferred to account '" + target.name() + "'");
    source.close();
    unwatch();
    target.arrived();
    // Arrow's listener hears nothing of a transfer: tell the old owner it has room now.
    owner.roomGrew();
    return moved;
  }

  /**
   * A zero-copy view of rows {@code [offset, offset + length)} owned by the same account; it
   * shares buffers with this block, and each must be closed.
   */
  public Block slice(int offset, int length) {
    ensureUsable();
    int rows = root.getRowCount();
    if (offset < 0 || length < 0 || offset > rows - length) {
      throw new IndexOutOfBoundsException(
          "slice [" + offset + ", " + offset + "+" + length + ") of a block with " + rows
              + " rows");
    }
    Block slice;
    try {
      slice = new Block(slice(root, offset, length), owner, false);
    } catch (OutOfMemoryException e) {
      throw owner.limitExceeded(AccountListener.lastFailedRequest(), e);
    }
    BlockWatch w = watch;
    if (w != null) {
      slice.watch(w.scope(), w.operator());
    }
    return slice;
  }

  /**
   * {@link VectorSchemaRoot#slice} keeping the root's schema: Arrow's rebuilds the schema and
   * its field map from the sliced vectors, which was most of the cost of a small slice
   * (re-batching cuts one per batch); columns without nulls are shared without the validity copy
   * Arrow makes for a slice off a byte boundary ({@link VectorSlice}).
   */
  private static VectorSchemaRoot slice(VectorSchemaRoot root, int offset, int length) {
    List<FieldVector> vectors = new ArrayList<>(root.getFieldVectors().size());
    try {
      for (FieldVector v : root.getFieldVectors()) {
        TransferPair pair = v.getTransferPair(v.getAllocator());
        FieldVector to = (FieldVector) pair.getTo();
        vectors.add(to);
        if (!VectorSlice.share(v, to, offset, length)) {
          pair.splitAndTransfer(offset, length);
        }
      }
    } catch (RuntimeException e) {
      vectors.forEach(FieldVector::close);
      throw e;
    }
    return new VectorSchemaRoot(root.getSchema(), vectors, length);
  }

  /**
   * Watches this block while it is out with a receiver that must close it: if the receiver drops
   * it, its memory comes back once it is unreachable and {@code scope} reports the leak.
   */
  void watch(ExecutionScope scope, String operator) {
    ensureUsable();
    watch = BlockWatch.of(scope, operator, owner, sizeBytes, spent, root);
  }

  private void unwatch() {
    BlockWatch w = watch;
    if (w != null) {
      w.disarm();
    }
  }

  /**
   * Closes the block unless it was already closed or moved: the discard hook for blocks a stream
   * drops on cancel, error, filter or overflow, where a second release is expected, not a bug.
   */
  public void release() {
    if (spent.compareAndSet(null, "closed")) {
      root.close();
      unwatch();
    }
  }

  /**
   * Releases the block's memory.
   *
   * @throws BlockClosedException if it was already closed or transferred away
   */
  @Override
  public void close() {
    markSpent("closed");
    root.close();
    unwatch();
  }

  private void markSpent(String why) {
    String previous = spent.compareAndExchange(null, why);
    if (previous != null) {
      throw new BlockClosedException("block of account '" + owner.name() + "' already " + previous);
    }
  }

  private void ensureUsable() {
    String why = spent.get();
    if (why != null) {
      throw new BlockClosedException(
          "block of account '" + owner.name() + "' used after it was " + why);
    }
  }

  private static VectorSchemaRoot move(VectorSchemaRoot from, BufferAllocator to) {
    List<FieldVector> vectors = new ArrayList<>(from.getFieldVectors().size());
    for (FieldVector v : from.getFieldVectors()) {
      TransferPair pair = v.getTransferPair(to);
      pair.transfer();
      vectors.add((FieldVector) pair.getTo());
    }
    return new VectorSchemaRoot(from.getSchema(), vectors, from.getRowCount());
  }

  /** A block's columns are found by name, so two may not share one. */
  private static void requireUniqueNames(List<Field> fields) {
    Set<String> seen = new HashSet<>();
    for (Field f : fields) {
      if (!seen.add(f.getName())) {
        throw new ColumnException(f.getName(), "appears twice in a block ("
            + fields.stream().map(Field::getName).toList() + "); rename or drop one first");
      }
    }
  }

  /** Sums each distinct allocation once: Arrow carves several buffers out of one allocation. */
  private static long measure(VectorSchemaRoot root) {
    Set<ReferenceManager> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    long bytes = 0;
    for (FieldVector v : root.getFieldVectors()) {
      bytes += measure(v, seen);
    }
    return bytes;
  }

  // getBuffers() hides the buffers of empty vectors (an offsets buffer still holds memory), so
  // walk the field buffers and the children.
  private static long measure(FieldVector vector, Set<ReferenceManager> seen) {
    long bytes = 0;
    for (ArrowBuf buf : vector.getFieldBuffers()) {
      if (buf != null && seen.add(buf.getReferenceManager())) {
        bytes += buf.getReferenceManager().getSize();
      }
    }
    for (FieldVector child : vector.getChildrenFromFields()) {
      bytes += measure(child, seen);
    }
    return bytes;
  }

  @Override
  public String toString() {
    String why = spent.get();
    return "Block[" + (why != null ? why : root.getRowCount() + " rows") + ", "
        + Bytes.format(sizeBytes) + ", account '" + owner.name() + "']";
  }
}
