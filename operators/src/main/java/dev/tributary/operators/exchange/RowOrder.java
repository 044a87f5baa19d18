package dev.tributary.operators.exchange;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import java.util.List;

/**
 * Compares rows of blocks by sort keys, over each key column's Java values (read once per block).
 * Doubles order as {@link Double#compare} does (NaN above every number, -0.0 below 0.0); nulls go
 * first or last per key, whatever the direction.
 */
final class RowOrder {
  private final List<SortKey> keys;

  RowOrder(List<SortKey> keys) {
    this.keys = List.copyOf(keys);
  }

  /** The key columns' values of {@code block}, one array per key. */
  Object[][] columns(Block block) {
    Object[][] columns = new Object[keys.size()][];
    for (int k = 0; k < keys.size(); k++) {
      columns[k] = ColumnReader.values(block, keys.get(k).column());
    }
    return columns;
  }

  /** Compares row {@code i} of {@code a} with row {@code j} of {@code b}. */
  int compare(Object[][] a, int i, Object[][] b, int j) {
    for (int k = 0; k < keys.size(); k++) {
      int c = compareValues(keys.get(k), a[k][i], b[k][j]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  static int compareValues(SortKey key, Object x, Object y) {
    if (x == null || y == null) {
      if (x == y) {
        return 0;
      }
      return (x == null) == key.nullsLast() ? 1 : -1;
    }
    int c = natural(x, y);
    return key.descending() ? -c : c;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int natural(Object x, Object y) {
    if (x instanceof Double || x instanceof Float || y instanceof Double || y instanceof Float) {
      return Double.compare(((Number) x).doubleValue(), ((Number) y).doubleValue());
    }
    if (x instanceof Number nx && y instanceof Number ny && !(x instanceof java.math.BigDecimal)) {
      return Long.compare(nx.longValue(), ny.longValue());
    }
    if (x instanceof byte[] bx && y instanceof byte[] by) {
      return java.util.Arrays.compareUnsigned(bx, by);
    }
    return ((Comparable) x).compareTo(y);
  }
}
