package dev.tributary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Formats rows as an aligned text table for {@link Dataset#show(int)}. */
final class Table {
  private static final int MAX_CELL = 40;

  private Table() {}

  static String format(List<Map<String, Object>> rows) {
    Set<String> columns = new LinkedHashSet<>();
    rows.forEach(r -> columns.addAll(r.keySet()));
    List<String> names = new ArrayList<>(columns);
    int[] widths = names.stream().mapToInt(String::length).toArray();
    List<String[]> cells = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      String[] line = new String[names.size()];
      for (int c = 0; c < line.length; c++) {
        line[c] = cell(row.get(names.get(c)));
        widths[c] = Math.max(widths[c], line[c].length());
      }
      cells.add(line);
    }
    StringBuilder sb = new StringBuilder();
    appendLine(sb, names.toArray(String[]::new), widths);
    String[] rule = new String[widths.length];
    for (int c = 0; c < widths.length; c++) {
      rule[c] = "-".repeat(widths[c]);
    }
    appendLine(sb, rule, widths);
    cells.forEach(line -> appendLine(sb, line, widths));
    sb.append('(').append(rows.size()).append(rows.size() == 1 ? " row)\n" : " rows)\n");
    return sb.toString();
  }

  private static void appendLine(StringBuilder sb, String[] cells, int[] widths) {
    for (int c = 0; c < cells.length; c++) {
      if (c > 0) {
        sb.append(" | ");
      }
      sb.append(cells[c]).append(" ".repeat(widths[c] - cells[c].length()));
    }
    sb.append('\n');
  }

  private static String cell(Object value) {
    String text;
    if (value == null) {
      text = "null";
    } else if (value instanceof float[] f) {
      text = Arrays.toString(f);
    } else if (value instanceof byte[] b) {
      text = "<" + b.length + " bytes>";
    } else {
      text = value.toString();
    }
    return text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 3) + "..." : text;
  }
}
