package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.BlockBuilder;
import dev.tributary.memory.ColumnException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Converts between blocks and rows, a row being a {@code Map<String, Object>} from column name to
 * value ({@code Long}, {@code Integer}, {@code Double}, {@code Float}, {@code Boolean}, {@code
 * String}, {@code byte[]}, {@code float[]} or {@code null}), as Ray Data's row functions see them.
 */
public final class Rows {
  private Rows() {}

  /** The rows of a block, each a fresh mutable map in schema column order. */
  public static List<Map<String, Object>> read(Block block) {
    int n = block.rowCount();
    List<Field> fields = block.schema().getFields();
    Object[][] columns = new Object[fields.size()][];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = block.values(fields.get(c).getName());
    }
    List<Map<String, Object>> rows = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      Map<String, Object> row = new LinkedHashMap<>(fields.size() * 2);
      for (int c = 0; c < columns.length; c++) {
        row.put(fields.get(c).getName(), columns[c][r]);
      }
      rows.add(row);
    }
    return rows;
  }

  /**
   * Builds a block in {@code out} from rows. Columns are the union of the rows' keys in
   * first-seen order (a missing key is a null); each column's type comes from its first
   * non-null value, or from {@code hint} (may be null) when the column holds only nulls.
   *
   * @throws ColumnException if a column mixes value types or holds an
   *     unsupported one (the message names the column and the row)
   */
  public static Block write(List<Map<String, Object>> rows, Schema hint, Account out) {
    Set<String> names = new LinkedHashSet<>();
    for (Map<String, Object> row : rows) {
      names.addAll(row.keySet());
    }
    BlockBuilder builder = Block.builder(out);
    for (String name : names) {
      Class<?> type = null;
      for (int r = 0; r < rows.size() && type == null; r++) {
        Object v = rows.get(r).get(name);
        type = v == null ? null : v.getClass();
      }
      if (type == null) {
        type = typeOf(hint, name);
      }
      Object array = Array.newInstance(type, rows.size());
      for (int r = 0; r < rows.size(); r++) {
        Object v = rows.get(r).get(name);
        if (v != null && v.getClass() != type) {
          throw new ColumnException(name, "row " + r + " holds a " + v.getClass().getSimpleName()
              + " in a column of " + type.getSimpleName() + "; return one type per column");
        }
        Array.set(array, r, v);
      }
      if (array instanceof float[][] tensors) {
        int dim = 0;
        for (float[] t : tensors) {
          dim = t != null ? t.length : dim;
        }
        builder.tensors(name, tensors, dim == 0 ? 1 : dim);
      } else {
        builder.column(name, array);
      }
    }
    return builder.build();
  }

  /** The Java value class {@link #read} yields for a column of {@code hint}, else String. */
  private static Class<?> typeOf(Schema hint, String name) {
    Field field = null;
    if (hint != null) {
      field = hint.getFields().stream().filter(f -> f.getName().equals(name)).findFirst()
          .orElse(null);
    }
    if (field == null) {
      return String.class;
    }
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Int i) {
      return i.getBitWidth() == 64 ? Long.class : Integer.class;
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() == FloatingPointPrecision.DOUBLE ? Double.class : Float.class;
    }
    if (type instanceof ArrowType.Bool) {
      return Boolean.class;
    }
    if (type instanceof ArrowType.Binary) {
      return byte[].class;
    }
    if (type instanceof ArrowType.FixedSizeList) {
      return float[].class;
    }
    return String.class;
  }
}
