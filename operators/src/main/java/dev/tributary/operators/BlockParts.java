package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks gathered to leave as one (a re-batch's slices, small blocks being coalesced): one
 * block taken as it is, several concatenated into {@code account} and then released. Used by one
 * subscription, serially.
 */
final class BlockParts {
  private final Account account;
  private final List<Block> parts = new ArrayList<>();

  BlockParts(Account account) {
    this.account = account;
  }

  boolean isEmpty() {
    return parts.isEmpty();
  }

  boolean holds(Block block) {
    return parts.contains(block);
  }

  void add(Block block) {
    parts.add(block);
  }

  /** The parts as one block (null when there are none); the parts are gone afterwards. */
  Block take() {
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
  void clear() {
    parts.forEach(Block::release);
    parts.clear();
  }
}
