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
  private final Block block;
  /**
   * Keeps the iterator, and through it the execution, reachable while the batch is: an execution
   * whose consumer is gone ends and takes back its memory, which must never happen under a batch
   * still in use.
   */
  @SuppressWarnings("unused")
  private final BatchIterator iterator;

  Batch(Block block, BatchIterator iterator) {
    this.block = block;
    this.iterator = iterator;
  }

  /** Its rows. */
  public int rowCount() {
    return block.rowCount();
  }

  /** The Arrow record batch (zero-copy; read-only by contract). */
  public VectorSchemaRoot root() {
    return block.root();
  }

  /** Every column as a Java array (copies; see {@link Batches} for the array types). */
  public Map<String, Object> columns() {
    return Batches.read(block);
  }

  /**
   * One column as a Java array ({@code long[]}, {@code double[]}, {@code float[]}, ... as in
   * {@link #columns()}).
   */
  public Object column(String name) {
    return Batches.column(block, name);
  }

  /**
   * A fixed-size-list column (nested lists allowed) of fixed-width numbers as a tensor of shape
   * {@code [rows, d1, ...]} over the Arrow memory.
   *
   * @throws ColumnException if the column is not such a list, or has a null at any level
   */
  public Tensor tensor(String name) {
    FieldVector vector = block.vector(name);
    List<Integer> shape = new ArrayList<>();
    shape.add(block.rowCount());
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

  /** Gives the batch's memory back now (its iterator would at the next call). */
  @Override
  public void close() {
    block.release();
  }
}
