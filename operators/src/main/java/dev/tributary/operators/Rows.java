package dev.tributary.operators;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Converts between blocks and rows, a row being a {@code Map<String, Object>} from column name to
 * value (as {@link JavaValues} maps them: {@code Long}, {@code Double}, {@code String}, {@code
 * LocalDate}, {@code Instant}, {@code BigDecimal}, {@code List}, {@code Map}, ... or {@code
 * null}), as Ray Data's row functions see them.
 */
public final class Rows {
  private Rows() {}

  /** The rows of a block, each a fresh mutable map in schema column order. */
  public static List<Map<String, Object>> read(Block block) {
    int n = block.rowCount();
    List<Field> fields = block.schema().getFields();
    Object[][] columns = new Object[fields.size()][];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = ColumnReader.values(block, fields.get(c).getName());
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
   * first-seen order (a missing key is a null); each column's type comes from its non-null
   * values ({@link JavaValues#infer}), or from {@code hint} (may be null) when it holds only
   * nulls; without a hint, such a column has Arrow's null type, and takes its type from the
   * blocks that have values where blocks meet ({@link dev.tributary.columnar.Schemas#unify}).
   *
   * @throws ColumnException if a column mixes value types or holds an
   *     unsupported one (the message names the column and the row)
   */
  public static Block write(List<Map<String, Object>> rows, Schema hint, Account out) {
    Set<String> names = new LinkedHashSet<>();
    for (Map<String, Object> row : rows) {
      names.addAll(row.keySet());
    }
    BlockBuilder builder = BlockBuilder.in(out);
    for (String name : names) {
      List<Object> values = new ArrayList<>(rows.size());
      boolean allNull = true;
      for (Map<String, Object> row : rows) {
        Object v = row.get(name);
        allNull &= v == null;
        values.add(v);
      }
      Field hinted = allNull && hint != null ? hint.getFields().stream()
          .filter(f -> f.getName().equals(name)).findFirst().orElse(null) : null;
      Field field = hinted != null ? new Field(name, FieldType.nullable(hinted.getType()),
          hinted.getChildren()) : JavaValues.infer(name, values);
      builder.column(field, values);
    }
    return builder.build();
  }
}
