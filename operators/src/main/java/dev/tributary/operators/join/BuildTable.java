package dev.tributary.operators.join;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;

/**
 * The build side of a hash join (all of it, or one partition): its rows in one block, an index
 * from key to row numbers, and which rows found a match (for right and full outer joins).
 */
final class BuildTable implements AutoCloseable {
  private static final int[] NONE = new int[0];

  /** The rows, or null when there are none. */
  final Block rows;
  /** Key to {count, row, row, ...}. */
  private final Map<Object, int[]> index = new HashMap<>();
  final boolean[] matched;

  /** Takes ownership of {@code pieces} (concatenated into one block, then released). */
  BuildTable(List<Block> pieces, List<String> keys, Account account) {
    try {
      rows = pieces.isEmpty() ? null
          : pieces.size() == 1 ? pieces.get(0) : Blocks.concat(pieces, account);
    } finally {
      if (pieces.size() > 1) {
        pieces.forEach(Block::release);
      }
    }
    int n = rows == null ? 0 : rows.rowCount();
    matched = new boolean[n];
    if (n == 0) {
      return;
    }
    FieldVector[] vectors = JoinKeys.vectors(rows, keys);
    for (int i = 0; i < n; i++) {
      Object key = JoinKeys.key(vectors, i);
      if (key == null) {
        continue;
      }
      int[] list = index.get(key);
      if (list == null) {
        list = new int[] {0, 0};
      } else if (list[0] + 1 == list.length) {
        list = Arrays.copyOf(list, list.length * 2);
      }
      list[++list[0]] = i;
      index.put(key, list);
    }
  }

  /** The rows matching {@code key} as {count, row, ...} (count 0: none). */
  int[] matches(Object key) {
    if (key == null) {
      return NONE;
    }
    int[] list = index.get(key);
    return list == null ? NONE : list;
  }

  /** The rows that never matched, in order. */
  int[] unmatched() {
    int n = 0;
    for (boolean m : matched) {
      n += m ? 0 : 1;
    }
    int[] out = new int[n];
    int at = 0;
    for (int i = 0; i < matched.length; i++) {
      if (!matched[i]) {
        out[at++] = i;
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (rows != null) {
      rows.release();
    }
  }
}
