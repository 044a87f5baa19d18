package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@link BlockTransform}s for row-level user functions: map, filter and withColumn, as Ray Data
 * offers them (column reshaping is {@link ColumnMapping}).
 */
public final class RowTransforms {
  private RowTransforms() {}

  /** One output row per input row. */
  public static BlockTransform map(Function<Map<String, Object>, Map<String, Object>> fn) {
    Objects.requireNonNull(fn, "fn");
    return BlockTransform.reading((in, out) -> {
      List<Map<String, Object>> rows = Rows.read(in);
      List<Map<String, Object>> mapped = new ArrayList<>(rows.size());
      for (Map<String, Object> row : rows) {
        mapped.add(Objects.requireNonNull(fn.apply(row), "map function returned null"));
      }
      return mapped.isEmpty() ? null : Rows.write(mapped, in.schema(), out);
    });
  }

  /**
   * The rows for which {@code keep} is true; the schema is unchanged. {@code keep} sees each row
   * as a read-only map that reads a column's value only when asked for it, valid during the call.
   */
  public static BlockTransform filter(Predicate<Map<String, Object>> keep) {
    Objects.requireNonNull(keep, "keep");
    return BlockTransform.reading((in, out) -> {
      RowView.Columns columns = new RowView.Columns(in);
      return Blocks.keep(in, i -> keep.test(columns.row(i)), out);
    });
  }

  /** Adds (or replaces) column {@code name} computed from each row; other columns are shared. */
  public static BlockTransform withColumn(String name, Function<Map<String, Object>, Object> fn) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(fn, "fn");
    return BlockTransform.reading((in, out) -> {
      List<Map<String, Object>> values = new ArrayList<>(in.rowCount());
      for (Map<String, Object> row : Rows.read(in)) {
        Map<String, Object> one = new LinkedHashMap<>(2);
        one.put(name, fn.apply(row));
        values.add(one);
      }
      if (values.isEmpty()) {
        return in.retain();
      }
      try (Block column = Rows.write(values, null, out)) {
        return Blocks.zip(in, column, out);
      }
    });
  }
}
