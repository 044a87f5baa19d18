package dev.tributary.operators.exchange;

import java.util.List;
import java.util.Objects;

/**
 * How an {@link Exchange} assigns rows to partitions. Plain values, so that any engine can
 * interpret them: in process, or as a cluster shuffle's partitioner.
 */
public sealed interface Partitioning {
  /** How many partitions it makes. */
  int partitions();

  /** Every row into one partition: a pipeline break that keeps order (materialize, sort runs). */
  static Partitioning single() {
    return new Single();
  }

  /** Rows with equal values of {@code keys} into the same of {@code partitions} partitions. */
  static Partitioning hash(int partitions, List<String> keys) {
    return new Hash(partitions, keys);
  }

  /** Each row into a partition drawn at random from {@code seed} (in arrival order). */
  static Partitioning random(int partitions, long seed) {
    return new Random(partitions, seed);
  }

  /**
   * Rows ordered by {@code key} cut at {@code bounds} (sorted in that order): partition {@code
   * i} holds the rows above the first {@code i} bounds.
   */
  static Partitioning range(SortKey key, List<?> bounds) {
    return new Range(key, bounds);
  }

  /** One partition. */
  record Single() implements Partitioning {
    @Override
    public int partitions() {
      return 1;
    }
  }

  /**
   * Hash partitioning on key columns.
   *
   * @param partitions how many partitions
   * @param keys the key columns
   */
  record Hash(int partitions, List<String> keys) implements Partitioning {
    /** Checks the arguments. */
    public Hash {
      requirePositive(partitions);
      keys = List.copyOf(keys);
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("hash partitioning needs at least one key column");
      }
    }
  }

  /**
   * Random partitioning.
   *
   * @param partitions how many partitions
   * @param seed the seed: the same input in the same order gives the same partitions
   */
  record Random(int partitions, long seed) implements Partitioning {
    /** Checks the arguments. */
    public Random {
      requirePositive(partitions);
    }
  }

  /**
   * Range partitioning on one key.
   *
   * @param key the key and its order
   * @param bounds the cut points, sorted in the key's order (nulls are not allowed)
   */
  record Range(SortKey key, List<?> bounds) implements Partitioning {
    /** Checks and copies the bounds. */
    public Range {
      Objects.requireNonNull(key, "key");
      bounds = List.copyOf(bounds);
      for (int i = 1; i < bounds.size(); i++) {
        if (RowOrder.compareValues(key, bounds.get(i - 1), bounds.get(i)) > 0) {
          throw new IllegalArgumentException("range bounds are not sorted at index " + i);
        }
      }
    }

    @Override
    public int partitions() {
      return bounds.size() + 1;
    }
  }

  private static void requirePositive(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
  }
}
