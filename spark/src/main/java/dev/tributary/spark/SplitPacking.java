package dev.tributary.spark;

import dev.tributary.PartitionPlan.Split;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How a read's splits are packed into Spark partitions, as Spark SQL packs files ({@code
 * FilePartition}): each split costs its bytes plus an open cost ({@code
 * spark.sql.files.openCostInBytes}); a partition holds about the bytes each of the cluster's
 * cores would read ({@code spark.sql.files.minPartitionNum}, default parallelism), at most the
 * split size ({@code spark.sql.files.maxPartitionBytes}). A task then reads several small files
 * at once instead of one task per file, each paying its start and its share of the next
 * exchange. Splits stay in order (consecutive splits together), so the partitions in order are
 * the read in order.
 *
 * @param maxBytes the most bytes of a partition (the engine's split size)
 * @param openCost what opening a split costs, in bytes
 * @param slots the partitions the bytes are spread over at least (the cluster's cores)
 */
record SplitPacking(long maxBytes, long openCost, int slots) implements Serializable {
  /** Checks the arguments. */
  SplitPacking {
    if (maxBytes < 1 || openCost < 0 || slots < 1) {
      throw new IllegalArgumentException("maxBytes " + maxBytes + ", openCost " + openCost
          + ", slots " + slots);
    }
  }

  /** The splits' indexes, one array per partition, in order. */
  List<int[]> pack(List<Split> splits) {
    long total = splits.stream().mapToLong(s -> s.bytes() + openCost).sum();
    long target = Math.min(maxBytes, Math.max(openCost, total / slots));
    List<int[]> partitions = new ArrayList<>();
    int from = 0;
    long held = 0;
    for (int s = 0; s < splits.size(); s++) {
      long bytes = splits.get(s).bytes();
      if (s > from && held + bytes > target) {
        partitions.add(IntStream.range(from, s).toArray());
        from = s;
        held = 0;
      }
      held += bytes + openCost;
    }
    if (from < splits.size()) {
      partitions.add(IntStream.range(from, splits.size()).toArray());
    }
    return partitions;
  }
}
