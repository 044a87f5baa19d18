package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks gathered to leave as one (a re-batch's slices, small blocks being coalesced): one
 * block taken as it is, several concatenated into {@code account} and then released. Used by one
 * subscription, serially (re-batching, coalescing, the training feed's cutter).
 */
public final class BlockParts {
  private final Account account;
  private final List<Block> parts = new ArrayList<>();

  /** Parts concatenated into {@code account} when there are several. */
  public BlockParts(Account account) {
    this.account = account;
  }

  /** Whether no part is held. */
  public boolean isEmpty() {
    return parts.isEmpty();
  }

  boolean holds(Block block) {
    return parts.contains(block);
  }

  /** Holds {@code block} (now owned by these parts) after the others. */
  public void add(Block block) {
    parts.add(block);
  }

  /** The parts as one block (null when there are none); the parts are gone afterwards. */
  public Block take() {
    if (parts.isEmpty()) {
      return null;
    }
    try {
      return parts.size() == 1 ? parts.get(0) : Blocks.concat(parts, account);
    } finally {
      if (parts.size() > 1) {
        parts.forEach(Block::release);
      }
      parts.clear();
    }
  }

  /** Releases every part (cancel, error, end). */
  public void clear() {
    parts.forEach(Block::release);
    parts.clear();
  }
}
