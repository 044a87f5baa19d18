package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.FieldVector;

/**
 * Hash partitioning of blocks by key columns: each row goes to partition {@code hash(keys) mod
 * n}, from Arrow's own value hashes ({@code ValueVector.hashCode(index)}), so equal keys of the
 * same Arrow type land in the same partition whichever block or side they come from (a null
 * key hashes as a fixed value). The one place Tributary's operators (group functions, joins)
 * cut blocks by key hash.
 */
public final class HashPartitioner {
  private final List<String> keys;
  private final int partitions;

  /**
   * Partitions by {@code keys} into {@code partitions}.
   *
   * @throws IllegalArgumentException if there is no key or {@code partitions < 1}
   */
  public HashPartitioner(List<String> keys, int partitions) {
    this.keys = List.copyOf(keys);
    if (this.keys.isEmpty() || partitions < 1) {
      throw new IllegalArgumentException("need keys and partitions >= 1, were " + keys + " and "
          + partitions);
    }
    this.partitions = partitions;
  }

  /** The number of partitions. */
  public int partitions() {
    return partitions;
  }

  /** The partition of each row of {@code block}. */
  public int[] partitionOf(Block block) {
    int rows = block.rowCount();
    FieldVector[] vectors = new FieldVector[keys.size()];
    for (int k = 0; k < vectors.length; k++) {
      vectors[k] = block.vector(keys.get(k));
    }
    int[] out = new int[rows];
    for (int i = 0; i < rows; i++) {
      int h = 17;
      for (FieldVector v : vectors) {
        h = 31 * h + v.hashCode(i);
      }
      h ^= h >>> 16;
      out[i] = Math.floorMod(h * 0x9E3779B1, partitions);
    }
    return out;
  }

  /**
   * The row numbers of each of {@code partitions} partitions, in row order, given each row's
   * partition (an empty array for a partition with no row).
   */
  public static int[][] rowsByPartition(int[] partitionOf, int partitions) {
    int[] counts = new int[partitions];
    for (int p : partitionOf) {
      counts[p]++;
    }
    int[][] rows = new int[partitions][];
    for (int p = 0; p < partitions; p++) {
      rows[p] = new int[counts[p]];
    }
    Arrays.fill(counts, 0);
    for (int i = 0; i < partitionOf.length; i++) {
      int p = partitionOf[i];
      rows[p][counts[p]++] = i;
    }
    return rows;
  }

  /**
   * The rows of {@code block} by partition, as copies in {@code out} (null for a partition with
   * no row); {@code block} is left as it was.
   */
  public List<Block> split(Block block, Account out) {
    Objects.requireNonNull(out, "out");
    int[][] rows = rowsByPartition(partitionOf(block), partitions);
    List<Block> parts = new ArrayList<>(partitions);
    try {
      for (int p = 0; p < partitions; p++) {
        parts.add(rows[p].length == 0 ? null : Blocks.take(block, rows[p], out));
      }
    } catch (RuntimeException e) {
      parts.forEach(b -> {
        if (b != null) {
          b.close();
        }
      });
      throw e;
    }
    return parts;
  }
}
