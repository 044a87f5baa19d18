package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/** The {@code path} column a source adds on request: the file each row was read from. */
final class PathColumn {
  /** The column's name. */
  static final String NAME = "path";
  /** The column's field: utf8, never null. */
  static final Field FIELD = Field.notNullable(NAME, ArrowType.Utf8.INSTANCE);

  private PathColumn() {}

  /**
   * {@code block} with a {@code path} column of {@code path} on every row, charged to the same
   * account; the input block is spent (closed) either way.
   */
  static Block append(Block block, String path, Account account) {
    try (block) {
      return account.allocate(() -> {
        int rows = block.rowCount();
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        try (VarCharVector paths = (VarCharVector) FIELD.createVector(account.allocator())) {
          paths.allocateNew((long) bytes.length * rows, rows);
          for (int r = 0; r < rows; r++) {
            paths.set(r, bytes);
          }
          paths.setValueCount(rows);
          List<FieldVector> vectors = new ArrayList<>(block.root().getFieldVectors());
          vectors.add(paths);
          List<Field> fields = new ArrayList<>(block.schema().getFields());
          fields.add(FIELD);
          // Moves the block's vectors and the new one into a block of their own, zero-copy.
          return Block.adopt(new VectorSchemaRoot(fields, vectors, rows), account);
        }
      });
    }
  }
}
