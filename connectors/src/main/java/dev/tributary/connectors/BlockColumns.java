package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/** Picking columns of a block without copying them. */
final class BlockColumns {
  private BlockColumns() {}

  /**
   * The columns {@code names} of {@code block}, in that order, moved zero-copy into a block of
   * {@code account}; the input block is spent (its other columns are freed).
   */
  static Block project(Block block, List<String> names, Account account) {
    try (block) {
      List<FieldVector> vectors = names.stream().map(block::vector).toList();
      List<Field> fields = vectors.stream().map(FieldVector::getField).toList();
      return Block.adopt(new VectorSchemaRoot(fields, vectors, block.rowCount()), account);
    }
  }
}
