package dev.tributary.spark;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.HashPartitioner;
import dev.tributary.operators.exchange.SortKey;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import scala.Tuple2;

/**
 * How a task's output blocks leave it, each as a {@code (partition, value)} pair for Spark: by key
 * hash or key range into the next exchange's partitions, dealt round robin, kept in the task's
 * partition, or sampled (the keys of a few rows, for a sort's bounds).
 */
sealed interface BlockCut extends Serializable {
  /**
   * Adds what {@code block}, the task's {@code sequence}-th, becomes to {@code out}; {@code
   * block} is left as it was, copies are made in {@code account} and released here.
   */
  void cut(Block block, Account account, int task, long sequence,
      List<Tuple2<Integer, Object>> out);

  /** Blocks as IPC bytes, keyed by the task's own partition (a union, a limit, the driver). */
  record Keep() implements BlockCut {
    @Override
    public void cut(Block block, Account account, int task, long sequence,
        List<Tuple2<Integer, Object>> out) {
      out.add(new Tuple2<>(task, IpcBlocks.encode(block)));
    }
  }

  /**
   * Whole blocks dealt round robin over {@code partitions}, starting at the task's own partition.
   *
   * @param partitions the next exchange's partitions
   */
  record Deal(int partitions) implements BlockCut {
    @Override
    public void cut(Block block, Account account, int task, long sequence,
        List<Tuple2<Integer, Object>> out) {
      out.add(new Tuple2<>((int) Math.floorMod(task + sequence, partitions),
          IpcBlocks.encode(block)));
    }
  }

  /**
   * Rows by the hash of their keys, as Tributary's own operators cut them ({@link
   * HashPartitioner}): equal keys of both sides of a join land in the same partition.
   *
   * @param keys the key columns
   * @param partitions the next exchange's partitions
   */
  record ByHash(List<String> keys, int partitions) implements BlockCut {
    /** Copies the keys. */
    public ByHash {
      keys = List.copyOf(keys);
    }

    @Override
    public void cut(Block block, Account account, int task, long sequence,
        List<Tuple2<Integer, Object>> out) {
      split(new HashPartitioner(keys, partitions).partitionOf(block), partitions, block,
          account, out);
    }
  }

  /**
   * Rows by the range of their keys: partition {@code p} holds the rows from bound {@code p - 1}
   * (included) to bound {@code p} (excluded), so equal keys land together and the partitions in
   * order are the rows in order.
   *
   * @param order the sort keys
   * @param bounds the sampled bounds, ascending in the sort's order (one fewer than partitions)
   */
  record ByRange(KeyOrder order, List<Object[]> bounds) implements BlockCut {
    /** Copies the bounds. */
    public ByRange {
      bounds = new ArrayList<>(bounds);
    }

    @Override
    public void cut(Block block, Account account, int task, long sequence,
        List<Tuple2<Integer, Object>> out) {
      Object[][] columns = order.columns(block);
      int[] partitionOf = new int[block.rowCount()];
      for (int row = 0; row < partitionOf.length; row++) {
        int lo = 0;
        int hi = bounds.size();
        while (lo < hi) { // the first bound above the row
          int mid = (lo + hi) >>> 1;
          if (order.compare(columns, row, bounds.get(mid)) < 0) {
            hi = mid;
          } else {
            lo = mid + 1;
          }
        }
        partitionOf[row] = lo;
      }
      split(partitionOf, bounds.size() + 1, block, account, out);
    }
  }

  /**
   * The keys of up to {@code perBlock} rows of each block, evenly spaced, as one {@code
   * Object[][]} (one array of key values per row).
   *
   * @param order the sort keys
   * @param perBlock rows sampled per block
   */
  record Sample(KeyOrder order, int perBlock) implements BlockCut {
    @Override
    public void cut(Block block, Account account, int task, long sequence,
        List<Tuple2<Integer, Object>> out) {
      int rows = block.rowCount();
      int n = Math.min(rows, perBlock);
      if (n == 0) {
        return;
      }
      Object[][] columns = order.columns(block);
      Object[][] sampled = new Object[n][];
      for (int s = 0; s < n; s++) {
        sampled[s] = order.row(columns, (int) ((long) s * rows / n));
      }
      out.add(new Tuple2<>(task, sampled));
    }
  }

  /** The rows of {@code block} by {@code partitionOf}, one IPC block per partition with rows. */
  private static void split(int[] partitionOf, int partitions, Block block, Account account,
      List<Tuple2<Integer, Object>> out) {
    int[][] rows = HashPartitioner.rowsByPartition(partitionOf, partitions);
    if (partitionOf.length > 0 && rows[partitionOf[0]].length == partitionOf.length) {
      out.add(new Tuple2<>(partitionOf[0], IpcBlocks.encode(block))); // one partition: no copy
      return;
    }
    for (int p = 0; p < partitions; p++) {
      if (rows[p].length > 0) {
        try (Block part = Blocks.take(block, rows[p], account)) {
          out.add(new Tuple2<>(p, IpcBlocks.encode(part)));
        }
      }
    }
  }

  /**
   * A sort's order over Java key values, as the local sort compares them: per key ascending or
   * descending, nulls first or last whatever the direction, doubles as {@link Double#compare}.
   *
   * @param keys the sort keys, most significant first
   */
  record KeyOrder(List<SortKey> keys) implements Serializable {
    /** Copies the keys. */
    public KeyOrder {
      keys = List.copyOf(keys);
    }

    /** The key columns of {@code block} as Java values, one array per key. */
    Object[][] columns(Block block) {
      Object[][] columns = new Object[keys.size()][];
      for (int k = 0; k < columns.length; k++) {
        columns[k] = ColumnReader.values(block, keys.get(k).column());
      }
      return columns;
    }

    /** Row {@code row}'s key values. */
    Object[] row(Object[][] columns, int row) {
      Object[] values = new Object[columns.length];
      for (int k = 0; k < values.length; k++) {
        values[k] = columns[k][row];
      }
      return values;
    }

    /** Row {@code row} of {@code columns} against the key values {@code other}. */
    int compare(Object[][] columns, int row, Object[] other) {
      for (int k = 0; k < columns.length; k++) {
        int c = keys.get(k).compare(columns[k][row], other[k]);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    }

    /** Two rows' key values. */
    int compare(Object[] a, Object[] b) {
      for (int k = 0; k < a.length; k++) {
        int c = keys.get(k).compare(a[k], b[k]);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    }
  }
}
