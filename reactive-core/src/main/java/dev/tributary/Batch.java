package dev.tributary;

import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.Batches;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/**
 * One batch of a training feed ({@link BatchIterator}), in the forms tensor libraries take: the
 * Arrow batch ({@link #root()}, zero-copy), Java arrays ({@link #columns()}, {@link
 * #column(String)}, copies), or a fixed-size-list column as a dense tensor ({@link
 * #tensor(String)}, zero-copy).
 *
 * <p>A batch is valid until its iterator's next {@code hasNext()}, {@code next()} or {@code
 * close()}, which close it; {@link #close()} gives its memory back earlier. Zero-copy views
 * (root, tensors) must not be used after that: copy what you keep.
 */
public final class Batch implements AutoCloseable {
  /** The iterator's one root, pointed at this batch's rows until the iterator moves on. */
  private final VectorSchemaRoot root;
  private final FeedCut cut;
  /**
   * Keeps the iterator, and through it the execution, reachable while the batch is: an execution
   * whose consumer is gone ends and takes back its memory, which must never happen under a batch
   * still in use.
   */
  private final BatchIterator iterator;

  Batch(VectorSchemaRoot root, FeedCut cut, BatchIterator iterator) {
    this.root = root;
    this.cut = cut;
    this.iterator = iterator;
  }

  /** Its rows. */
  public int rowCount() {
    ensureCurrent();
    return cut.rowCount();
  }

  /**
   * The Arrow record batch (zero-copy; read-only by contract). It is the iterator's one root,
   * which shows the next batch after the iterator's next call: keep copies, not the root.
   */
  public VectorSchemaRoot root() {
    ensureCurrent();
    return root;
  }

  /** Every column as a Java array (copies; see {@link Batches} for the array types). */
  public Map<String, Object> columns() {
    try (Block rows = rows()) {
      return Batches.read(rows);
    }
  }

  /**
   * One column as a Java array ({@code long[]}, {@code double[]}, {@code float[]}, ... as in
   * {@link #columns()}).
   */
  public Object column(String name) {
    try (Block rows = rows()) {
      return Batches.column(rows, name);
    }
  }

  /** The batch's rows as a block, for the copying forms only (they allocate anyway). */
  private Block rows() {
    ensureCurrent();
    return cut.block().slice(cut.offset(), cut.rowCount());
  }

  /**
   * A fixed-size-list column (nested lists allowed) of fixed-width numbers as a tensor of shape
   * {@code [rows, d1, ...]} over the Arrow memory.
   *
   * @throws ColumnException if the column is not such a list, or has a null at any level
   */
  public Tensor tensor(String name) {
    ensureCurrent();
    FieldVector vector = root.getVector(name);
    if (vector == null) {
      throw new ColumnException(name, "no such column; the batch has " + root.getSchema()
          .getFields().stream().map(f -> f.getName()).toList());
    }
    List<Integer> shape = new ArrayList<>();
    shape.add(root.getRowCount());
    FieldVector v = vector;
    while (v instanceof FixedSizeListVector list) {
      requireNoNulls(name, v);
      shape.add(list.getListSize());
      v = (FieldVector) list.getDataVector();
    }
    if (shape.size() == 1 || !(v instanceof BaseFixedWidthVector leaf)) {
      throw new ColumnException(name, "is " + vector.getField().getType()
          + ", not a fixed-size list of fixed-width numbers: it has no tensor form");
    }
    requireNoNulls(name, v);
    long elements = shape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
    long bytes = elements * leaf.getTypeWidth();
    return new Tensor(leaf.getDataBuffer().nioBuffer(0, Math.toIntExact(bytes)),
        shape.stream().mapToInt(Integer::intValue).toArray(), leaf.getField().getType());
  }

  private static void requireNoNulls(String name, FieldVector v) {
    if (v.getNullCount() > 0) {
      throw new ColumnException(name, "has " + v.getNullCount() + " nulls in " + v.getName()
          + ": a tensor has no nulls; impute or filter them first");
    }
  }

  /** A batch kept past its iterator's next call would show another batch's rows: it fails. */
  private void ensureCurrent() {
    if (!iterator.isCurrent(this)) {
      throw new IllegalStateException("this batch was closed: a batch is valid until its"
          + " iterator's next hasNext(), next() or close(); copy what you keep");
    }
  }

  /** Gives the batch's memory back now (its iterator would at the next call). */
  @Override
  public void close() {
    iterator.closed(this);
  }
}
