package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A pipeline breaker's input held by hash partition ({@link HashPartitioner}): blocks are cut
 * by partition and kept in an account of their own (not the one whose governor admits the
 * input: a governor waits for room its own account cannot give while pieces are held); once
 * that account holds more than the budget given, every piece held is written to disk ({@link
 * SpillPartitions}) and released. Partitions are then read
 * back one at a time ({@link #take}). For grace hash joins and group functions; a distributed
 * exchange would stand here.
 *
 * <p>Blocking (the spill store): use it from I/O threads. Not thread-safe.
 */
public final class PartitionedBlocks implements AutoCloseable {
  private final HashPartitioner partitioner;
  private final Account account;
  private final LongSupplier budget;
  private final SpillPartitions spill;
  private final List<List<Block>> held = new ArrayList<>();
  private long rows;

  /**
   * Pieces partitioned by {@code partitioner}, held in {@code account} up to {@code budget}
   * bytes, spilled to {@code directory}.
   */
  public PartitionedBlocks(HashPartitioner partitioner, Account account, LongSupplier budget,
      Path directory, OperatorStats stats) {
    this.partitioner = partitioner;
    this.account = account;
    this.budget = budget;
    this.spill = new SpillPartitions(directory, partitioner.partitions(), stats);
    for (int p = 0; p < partitioner.partitions(); p++) {
      held.add(new ArrayList<>());
    }
  }

  /** Cuts {@code block} by partition and keeps the pieces; the caller still owns {@code block}. */
  public void add(Block block) {
    rows += block.rowCount();
    List<Block> parts = partitioner.split(block, account);
    for (int p = 0; p < parts.size(); p++) {
      if (parts.get(p) != null) {
        held.get(p).add(parts.get(p));
      }
    }
    if (account.heldBytes() > budget.getAsLong()) {
      spillAll();
    }
  }

  /** The rows added so far. */
  public long rows() {
    return rows;
  }

  /** Whether any piece went to disk. */
  public boolean spilled() {
    return spill.spilled();
  }

  /** Writes every piece held to disk and releases it. */
  public void spillAll() {
    for (int p = 0; p < held.size(); p++) {
      List<Block> pieces = held.get(p);
      while (!pieces.isEmpty()) {
        try (Block piece = pieces.remove(pieces.size() - 1)) {
          spill.put(p, piece);
        }
      }
    }
  }

  /**
   * The next piece of partition {@code partition} (held ones first, then one read back), or
   * null when none is left; the caller owns it. Reading a partition piece by piece keeps one
   * piece read back in memory at a time.
   */
  public Block next(int partition) {
    List<Block> pieces = held.get(partition);
    return pieces.isEmpty() ? spill.next(partition, account) : pieces.remove(0);
  }

  /** Every piece of partition {@code partition}, held ones first, then those read back; the caller owns them. */
  public List<Block> take(int partition) {
    List<Block> out = new ArrayList<>();
    try {
      Block b;
      while ((b = next(partition)) != null) {
        out.add(b);
      }
    } catch (RuntimeException e) {
      out.forEach(Block::close);
      throw e;
    }
    return out;
  }

  /** Every piece of every partition, held ones only when nothing spilled; the caller owns them. */
  public List<Block> takeAll() {
    List<Block> out = new ArrayList<>();
    for (int p = 0; p < held.size(); p++) {
      out.addAll(take(p));
    }
    return out;
  }

  /** Releases what is held and deletes the spill file. */
  @Override
  public void close() {
    held.forEach(pieces -> {
      pieces.forEach(Block::release);
      pieces.clear();
    });
    spill.close();
  }
}
