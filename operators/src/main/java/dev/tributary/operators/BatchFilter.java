package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import java.util.Objects;
import java.util.function.Function;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A vectorised filter: a function sees each block as a read-only Arrow batch and returns which
 * rows to keep, one flag per row; kept rows are copied into the output block (the block itself
 * is handed on when every row is kept).
 */
public final class BatchFilter {
  private BatchFilter() {}

  /** The rows of each block whose flag in {@code keep}'s mask is true. */
  public static BlockTransform of(Function<VectorSchemaRoot, boolean[]> keep) {
    Objects.requireNonNull(keep, "keep");
    return BlockTransform.reading((in, out) -> {
      boolean[] mask = keep.apply(in.root());
      if (mask == null || mask.length != in.rowCount()) {
        throw new IllegalStateException("the filter returned " + (mask == null ? "null"
            : mask.length + " flags") + " for a batch of " + in.rowCount()
            + " rows; return one flag per row");
      }
      return Blocks.keep(in, i -> mask[i], out);
    });
  }
}
