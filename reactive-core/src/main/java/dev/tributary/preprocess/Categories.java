package dev.tributary.preprocess;

import dev.tributary.Dataset;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The distinct non-null values of one column with their counts. Memory grows with the number of
 * distinct values (the categories), not with rows.
 */
final class Categories {
  private final Map<Object, Long> counts = new HashMap<>();

  /** One pass counting the values of every column. */
  static Categories[] fit(Dataset dataset, List<String> columns) {
    Categories[] all = new Categories[columns.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = new Categories();
    }
    return Fitting.pass(dataset, columns, all, (acc, block) -> {
      for (int i = 0; i < acc.length; i++) {
        acc[i].add(block, columns.get(i));
      }
    });
  }

  /** The index of each key in {@code keys}. */
  static Map<String, Integer> indexOf(List<String> keys) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      index.put(keys.get(i), i);
    }
    return index;
  }

  /** A batch column encoded by {@code index}: nulls and values not seen when fitting are null. */
  static Long[] encode(Map<String, Object> batch, String column, Map<String, Integer> index) {
    Object[] values = Columns.objects(batch, column);
    Long[] out = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      Integer code = values[i] == null ? null : index.get(key(values[i]));
      out[i] = code == null ? null : code.longValue();
    }
    return out;
  }

  void add(Block block, String column) {
    for (Object v : ColumnReader.values(block, column)) {
      if (v != null) {
        counts.merge(v, 1L, Long::sum);
      }
    }
  }

  /** The distinct values, sorted (numbers numerically, text lexically), as keys. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  List<String> sortedKeys() {
    List<Object> values = new ArrayList<>(counts.keySet());
    values.sort((Comparator) Comparator.naturalOrder());
    return values.stream().map(Categories::key).toList();
  }

  /** The most frequent value (the smallest of equally frequent ones), or null if none. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  Object mostFrequent() {
    Object best = null;
    long bestCount = 0;
    for (Map.Entry<Object, Long> e : counts.entrySet()) {
      if (e.getValue() > bestCount || e.getValue() == bestCount
          && ((Comparable) e.getKey()).compareTo(best) < 0) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return best;
  }

  /**
   * A value's key in fitted state: its text, so categories survive JSON whatever their type (a
   * column holds one type, so keys of one column never collide).
   */
  static String key(Object value) {
    return String.valueOf(value);
  }
}
