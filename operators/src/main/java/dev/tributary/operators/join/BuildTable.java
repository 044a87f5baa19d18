package dev.tributary.operators.join;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HeapCharge;
import dev.tributary.operators.ByteKeyTable;
import dev.tributary.operators.KeyBytes;
import dev.tributary.operators.LongIdTable;
import dev.tributary.operators.LongKeyColumn;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The build side of a hash join (all of it, or one partition): its rows in one block, an index
 * from key to its first row with the rest chained in row order ({@link #next}), and which rows
 * found a match (for right and full outer joins). One integer-like key ({@link
 * LongKeyColumn#holds}) is indexed unboxed in a {@link LongIdTable}; other keys whose columns
 * all have normalised bytes ({@link KeyBytes#encodes}: strings, several columns, ...) by those
 * bytes in a {@link ByteKeyTable}; the rest (floating-point, nested) as boxed Java values in a
 * {@link HashMap}.
 */
final class BuildTable implements AutoCloseable {
  /** The rows, or null when there are none. */
  final Block rows;
  private final List<String> keys;
  /**
   * The most heap bytes the index takes per build row (chains and match flags 5, an integer
   * index at its sparsest 64, its filter 1): what a build side leaves room for in its budget.
   */
  static final long HEAP_BYTES_PER_ROW = 72;
  /** The fewest rows for which an integer-like key's index gets a {@link #filter}. */
  static final int FILTER_ROWS = 1 << 16;
  /** One integer-like key: its value to its first row; null otherwise. */
  private final LongIdTable longIndex;
  /**
   * One integer-like key of at least {@link #FILTER_ROWS} rows: 8 to 16 bits per key, a bit
   * per hash set for the keys present (null otherwise). An index that large is out of the CPU's
   * caches, so a probe key that matches nothing (most of them, in a join with a small
   * dimension) is turned away here, in a cache-sized array, before it reaches the index.
   */
  private final long[] filter;
  /** Keys with normalised bytes: each distinct key's id; {@link #firstRow} by id. */
  private final ByteKeyTable byteIndex;
  private int[] firstRow;
  /** Other keys: key to its first row. */
  private final Map<Object, Integer> index = new HashMap<>();
  /** Each row's next row with the same key, or -1. */
  private final int[] next;
  final boolean[] matched;
  /** The index's heap, charged to the build side's account like its rows. */
  private final HeapCharge charge;

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
    this.keys = keys;
    charge = account.heapCharge();
    try {
      int n = rows == null ? 0 : rows.rowCount();
      matched = new boolean[n];
      next = new int[n];
      FieldVector[] vectors = n == 0 ? null : JoinKeys.vectors(rows, keys);
      longIndex = n > 0 && vectors.length == 1 && longKeyed(vectors[0])
          ? new LongIdTable(n) : null;
      byteIndex = n > 0 && longIndex == null && bytesKeyed(vectors) ? new ByteKeyTable() : null;
      filter = longIndex != null && n >= FILTER_ROWS
          ? new long[Integer.highestOneBit(n) >>> 2] : null;
      index(vectors, n);
      // Counted wherever the limits allow: the index is built, refusing it now would fail a
      // join that fits (a grace partition a little over a hard limit) for an estimate.
      charge.trySet(heapBytes());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The heap the index, chains and match flags take now. */
  private long heapBytes() {
    long bytes = 5L * next.length + 48L * index.size();
    if (longIndex != null) {
      bytes += longIndex.heapBytes();
    }
    if (filter != null) {
      bytes += 8L * filter.length;
    }
    if (byteIndex != null) {
      bytes += byteIndex.heapBytes() + 4L * firstRow.length;
    }
    return bytes;
  }

  /** Indexes the {@code n} rows' keys, backwards: the chains run in row order. */
  private void index(FieldVector[] vectors, int n) {
    if (longIndex != null) {
      LongKeyColumn column = new LongKeyColumn(vectors[0]);
      for (int i = n - 1; i >= 0; i--) {
        if (column.isNull(i)) {
          next[i] = -1;
          continue;
        }
        long key = column.get(i);
        next[i] = longIndex.put(key, i);
        if (filter != null) {
          long h = LongIdTable.hash(key);
          filter[filterWord(h, filter.length)] |= 1L << (h >>> 32);
        }
      }
      return;
    }
    if (byteIndex != null) {
      indexBytes(new KeyBytes(Arrays.asList(vectors)), n);
      return;
    }
    for (int i = n - 1; i >= 0; i--) {
      Object key = JoinKeys.key(vectors, i);
      Integer first = key == null ? null : index.put(key, i);
      next[i] = first == null ? -1 : first;
    }
  }

  /** The filter's word for hash {@code h}: its high bits (the index's slots take its low ones). */
  private static int filterWord(long h, int words) {
    return (int) (h >>> (64 - Integer.numberOfTrailingZeros(words)));
  }

  private void indexBytes(KeyBytes keyBytes, int n) {
    firstRow = new int[16];
    for (int i = n - 1; i >= 0; i--) {
      if (keyBytes.anyNull(i)) {
        next[i] = -1;
        continue;
      }
      int length = keyBytes.encode(i);
      byte[] key = keyBytes.bytes();
      int size = byteIndex.size();
      int id = byteIndex.getOrPut(key, length, ByteKeyTable.hash(key, length));
      if (id == size) {
        if (id == firstRow.length) {
          firstRow = Arrays.copyOf(firstRow, 2 * firstRow.length);
        }
        next[i] = -1;
      } else {
        next[i] = firstRow[id];
      }
      firstRow[id] = i;
    }
  }

  private static boolean bytesKeyed(FieldVector[] vectors) {
    for (FieldVector v : vectors) {
      ArrowType type = v.getField().getType();
      if (!KeyBytes.encodes(type) || type instanceof ArrowType.Null) {
        return false;
      }
    }
    return true;
  }

  private static boolean longKeyed(FieldVector vector) {
    ArrowType type = vector.getField().getType();
    return LongKeyColumn.holds(type) || type instanceof ArrowType.Null;
  }

  /** A probe of the rows of {@code block} (the other side, keys of the same types). */
  Probe probe(Block block) {
    FieldVector[] vectors = JoinKeys.vectors(block, keys);
    if (longIndex != null) {
      return new LongProbe(new LongKeyColumn(vectors[0]), longIndex, filter);
    }
    if (byteIndex != null) {
      return new BytesProbe(new KeyBytes(Arrays.asList(vectors)), byteIndex, firstRow);
    }
    return new ObjectProbe(vectors, index);
  }

  /** The row after {@code row} with the same key, or -1. */
  int next(int row) {
    return next[row];
  }

  /** Finds the build rows matching a probe block's rows. */
  interface Probe {
    /** The first build row matching probe row {@code row}, or -1 (a null key matches none). */
    int first(int row);
  }

  private record LongProbe(LongKeyColumn column, LongIdTable index, long[] filter)
      implements Probe {
    @Override
    public int first(int row) {
      if (column.isNull(row)) {
        return -1;
      }
      long key = column.get(row);
      if (filter != null) {
        long h = LongIdTable.hash(key);
        if ((filter[filterWord(h, filter.length)] & 1L << (h >>> 32)) == 0) {
          return -1;
        }
      }
      return index.get(key);
    }
  }

  private record BytesProbe(KeyBytes keyBytes, ByteKeyTable index, int[] firstRow)
      implements Probe {
    @Override
    public int first(int row) {
      if (keyBytes.anyNull(row)) {
        return -1;
      }
      int length = keyBytes.encode(row);
      byte[] key = keyBytes.bytes();
      int id = index.get(key, length, ByteKeyTable.hash(key, length));
      return id < 0 ? -1 : firstRow[id];
    }
  }

  private record ObjectProbe(FieldVector[] vectors, Map<Object, Integer> index) implements Probe {
    @Override
    public int first(int row) {
      Object key = JoinKeys.key(vectors, row);
      Integer first = key == null ? null : index.get(key);
      return first == null ? -1 : first;
    }
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
    charge.close();
    if (rows != null) {
      rows.release();
    }
  }
}
