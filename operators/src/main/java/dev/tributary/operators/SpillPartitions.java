package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.SpillHandle;
import dev.tributary.memory.SpillStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Blocks parked on disk by partition, for an operator that outgrew its budget (hash aggregation,
 * grace hash join): each partition's blocks are written to one {@link SpillStore}, opened on the
 * first write (opening a store costs a Chronicle Map), and read back partition by partition,
 * each block deleted from the store as it comes back. Spill and restore bytes and time go to
 * the operator's stats. {@link #close()} deletes the store's file.
 *
 * <p>Not thread-safe: one operator run uses it from one thread at a time, an I/O thread (the
 * store's reads and writes block).
 */
public final class SpillPartitions implements AutoCloseable {
  /** The store's capacity: a sparse file, so only what is written takes disk space. */
  static final long STORE_CAPACITY_BYTES = 4L << 30;

  private final Path directory;
  private final List<List<SpillHandle>> partitions = new ArrayList<>();
  private final OperatorStats stats;
  private SpillStore store;
  private boolean closed;

  /**
   * Partitions {@code 0 .. partitions-1} spilled under {@code directory}, counted in {@code stats}.
   */
  public SpillPartitions(Path directory, int partitions, OperatorStats stats) {
    this.directory = Objects.requireNonNull(directory, "directory");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    for (int p = 0; p < partitions; p++) {
      this.partitions.add(new ArrayList<>());
    }
    this.stats = Objects.requireNonNull(stats, "stats");
  }

  /** The number of partitions. */
  public int partitions() {
    return partitions.size();
  }

  /** Whether anything was spilled. */
  public boolean spilled() {
    return store != null;
  }

  /** Writes {@code block} to partition {@code partition}; the caller still owns the block. */
  public void put(int partition, Block block) {
    if (closed) {
      throw new IllegalStateException("spill partitions are closed");
    }
    if (store == null) {
      store = SpillStore.open(directory, STORE_CAPACITY_BYTES);
    }
    long start = System.nanoTime();
    SpillHandle handle = store.put(block);
    stats.recordSpill(handle.bytes(), System.nanoTime() - start);
    partitions.get(partition).add(handle);
  }

  /** How many blocks partition {@code partition} holds on disk. */
  public int blocks(int partition) {
    return partitions.get(partition).size();
  }

  /**
   * Reads back the next block of partition {@code partition} into {@code account} and frees its
   * disk space; null when the partition is empty.
   */
  public Block next(int partition, Account account) {
    List<SpillHandle> handles = partitions.get(partition);
    if (handles.isEmpty()) {
      return null;
    }
    SpillHandle handle = handles.remove(0);
    long start = System.nanoTime();
    Block block = store.get(handle, account);
    store.delete(handle);
    stats.recordRestore(handle.bytes(), System.nanoTime() - start);
    return block;
  }

  /** Deletes the store's file (if one was opened); every handle becomes invalid. */
  @Override
  public void close() {
    closed = true;
    partitions.forEach(List::clear);
    if (store != null) {
      store.close();
    }
  }
}
