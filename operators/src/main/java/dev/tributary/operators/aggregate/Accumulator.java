package dev.tributary.operators.aggregate;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;

/**
 * The states of one aggregation for every group of a {@link GroupTable}, column-wise (one array
 * slot per group id): filled from input blocks, written out as partial state columns (to spill),
 * merged back from them, and finished into the output column.
 */
abstract class Accumulator {
  /** Makes room for group ids below {@code groups}; new groups start empty. */
  abstract void grow(int groups);

  /**
   * Adds the rows of {@code block} to their groups ({@code groupOf[row]}). {@code scratch} is
   * where a user aggregation's per-group batches are cut.
   */
  abstract void accumulate(Block block, int[] groupOf, Account scratch);

  /**
   * Adds every row of {@code block} to group 0, the one group of a global aggregation; {@code
   * zeros} holds a 0 for each row. Accumulators with a faster loop for one group override this.
   */
  void accumulateAll(Block block, int[] zeros, Account scratch) {
    accumulate(block, zeros, scratch);
  }

  /**
   * Sets group 0's state to that of {@code rows} rows whose aggregated column a source summarized
   * as {@code states} (null when none is aggregated): see {@link Aggregate#partialOf}. Only
   * count and numeric accumulators are made this way.
   */
  void load(long rows, ValueStates states) {
    throw new IllegalStateException(getClass().getSimpleName() + " is not made from value states");
  }

  /** The number of state columns {@link #writeStates} makes. */
  abstract int stateColumns();

  /** The states of {@code groups} (group ids) as {@link #stateColumns()} vectors. */
  abstract List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator);

  /** Merges partial states (rows of {@code states}) into groups {@code groupOf[row]}. */
  abstract void merge(List<FieldVector> states, int[] groupOf, int rows);

  /** The results of {@code groups} as the output column {@code name}. */
  abstract FieldVector finish(String name, int[] groups, BufferAllocator allocator);

  /** About how many heap bytes the states take. */
  abstract long heapBytes();

  static BigIntVector longs(String name, BufferAllocator allocator, int rows) {
    BigIntVector v = new BigIntVector(name, allocator);
    v.allocateNew(rows);
    v.setValueCount(rows);
    return v;
  }

  static Float8Vector doubles(String name, BufferAllocator allocator, int rows) {
    Float8Vector v = new Float8Vector(name, allocator);
    v.allocateNew(rows);
    v.setValueCount(rows);
    return v;
  }

  static int capacity(int current, int groups) {
    return Math.max(groups, Math.max(16, current * 2));
  }
}
