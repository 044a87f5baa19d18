package dev.tributary.operators.join;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The output rows of a join, built from pairs of row numbers (-1: no row on that side): the key
 * columns once (the left row's, else the right's), then the left's other columns, then the
 * right's (semi and anti joins: the left columns only, as they are).
 */
final class JoinOutput {
  private final List<String> keys;
  private final Schema left;
  private final Schema right;

  JoinOutput(List<String> keys, Schema left, Schema right) {
    this.keys = keys;
    this.left = left;
    this.right = right;
  }

  /**
   * The rows {@code (l[i], r[i])} for {@code i} in {@code [from, to)}, copied into {@code out};
   * {@code leftRows} or {@code rightRows} may be null when every index on that side is -1.
   */
  Block pairs(Block leftRows, int[] l, Block rightRows, int[] r, int from, int to, Account out) {
    int n = to - from;
    return out.allocate(() -> {
      List<FieldVector> vectors = new ArrayList<>();
      try {
        for (String k : keys) {
          FieldVector v = vector(right.findField(k), out);
          vectors.add(v);
          for (int i = 0; i < n; i++) {
            int li = l[from + i];
            if (li >= 0) {
              v.copyFromSafe(li, i, leftRows.vector(k));
            } else if (r[from + i] >= 0) {
              v.copyFromSafe(r[from + i], i, rightRows.vector(k));
            }
          }
          v.setValueCount(n);
        }
        copy(left, leftRows, l, from, n, vectors, out);
        copy(right, rightRows, r, from, n, vectors, out);
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
      return Block.wrap(new VectorSchemaRoot(vectors.stream().map(FieldVector::getField).toList(),
          vectors, n), out);
    });
  }

  private void copy(Schema side, Block rows, int[] at, int from, int n, List<FieldVector> vectors,
      Account out) {
    for (Field f : side.getFields()) {
      if (keys.contains(f.getName())) {
        continue;
      }
      FieldVector v = vector(f, out);
      vectors.add(v);
      for (int i = 0; i < n; i++) {
        int row = at[from + i];
        if (row >= 0) {
          v.copyFromSafe(row, i, rows.vector(f.getName()));
        }
      }
      v.setValueCount(n);
    }
  }

  private static FieldVector vector(Field field, Account out) {
    FieldVector v = new Field(field.getName(), FieldType.nullable(field.getType()),
        field.getChildren()).createVector(out.allocator());
    v.allocateNew();
    return v;
  }
}
