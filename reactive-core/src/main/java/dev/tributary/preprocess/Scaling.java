package dev.tributary.preprocess;

import dev.tributary.Dataset;
import dev.tributary.memory.Block;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the scalers share: their column list, their fitting pass, and {@code (x - a) / b}. */
final class Scaling {
  private Scaling() {}

  /** The column list, checked: at least one, none twice. */
  static List<String> columns(String... columns) {
    Objects.requireNonNull(columns, "columns");
    if (columns.length == 0) {
      throw new IllegalArgumentException("name at least one column");
    }
    List<String> list = List.of(columns);
    if (list.stream().distinct().count() != list.size()) {
      throw new IllegalArgumentException("a column is named twice in " + list);
    }
    return list;
  }

  /** One pass summarising every column. */
  static NumericSummary[] summaries(Dataset dataset, List<String> columns) {
    NumericSummary[] sums = new NumericSummary[columns.size()];
    for (int i = 0; i < sums.length; i++) {
      sums[i] = new NumericSummary();
    }
    return Fitting.pass(dataset, columns, sums, (acc, block) -> add(acc, block, columns));
  }

  private static void add(NumericSummary[] acc, Block block, List<String> columns) {
    double[][] values = Columns.numbers(block, columns);
    for (int i = 0; i < acc.length; i++) {
      acc[i].addAll(values[i]);
    }
  }

  /** A scale of 0 (a constant column) or of an empty column divides by 1 instead (as Ray). */
  static double nonZero(double scale) {
    return scale == 0 || Double.isNaN(scale) ? 1 : scale;
  }

  /** {@code batch} with each column {@code c} replaced by {@code (x - offsets[c]) / scales[c]}. */
  static Map<String, Object> apply(Map<String, Object> batch, List<String> columns,
      double[] offsets, double[] scales) {
    Map<String, Object> out = new LinkedHashMap<>(batch);
    for (int c = 0; c < columns.size(); c++) {
      String column = columns.get(c);
      double[] x = Columns.doubles(batch, column);
      double[] y = new double[x.length];
      double offset = offsets[c];
      double scale = scales[c];
      for (int i = 0; i < x.length; i++) {
        y[i] = (x[i] - offset) / scale;
      }
      out.put(column, Columns.output(y, Columns.hasNulls(batch, column)));
    }
    return out;
  }
}
