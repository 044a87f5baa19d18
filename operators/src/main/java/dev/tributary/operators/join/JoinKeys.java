package dev.tributary.operators.join;

import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** The key columns of a join: checked on both sides' schemas, and read per row. */
final class JoinKeys {
  private JoinKeys() {}

  /**
   * Checks that both sides have every key, of the same Arrow type.
   *
   * @throws ColumnException if a side lacks a key
   * @throws JoinKeyMismatchException if a key's types differ
   */
  static void check(List<String> keys, Schema left, Schema right) {
    for (String k : keys) {
      Field l = field(left, k, "left");
      Field r = field(right, k, "right");
      if (!l.getType().equals(r.getType())) {
        throw new JoinKeyMismatchException(k, l.getType(), r.getType());
      }
    }
  }

  private static Field field(Schema schema, String key, String side) {
    return schema.getFields().stream().filter(f -> f.getName().equals(key)).findFirst()
        .orElseThrow(() -> new ColumnException(key, "join: no such column on the " + side
            + " side; it has " + schema.getFields().stream().map(Field::getName).toList()));
  }

  /** The key vectors of {@code block}. */
  static FieldVector[] vectors(Block block, List<String> keys) {
    FieldVector[] out = new FieldVector[keys.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = block.vector(keys.get(k));
    }
    return out;
  }

  /** The key of row {@code row} as a hashable value, or null when a key is null (never matches). */
  static Object key(FieldVector[] vectors, int row) {
    if (vectors.length == 1) {
      return JavaValues.get(vectors[0], row);
    }
    Object[] values = new Object[vectors.length];
    for (int k = 0; k < values.length; k++) {
      values[k] = JavaValues.get(vectors[k], row);
      if (values[k] == null) {
        return null;
      }
    }
    return Arrays.asList(values);
  }
}
