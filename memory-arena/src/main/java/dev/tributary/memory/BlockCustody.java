package dev.tributary.memory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blocks a stage holds between threads (handed to a task, waiting in a queue), so that it
 * can release whatever is left when its subscription ends: Reactor may drop a value that races
 * with a cancel without a discard signal. {@link #take} makes each block leave exactly once (to
 * its consumer, or to {@link #releaseAll()}); a block that arrives after the end is released at
 * once.
 */
public final class BlockCustody {
  private final Set<Block> held = ConcurrentHashMap.newKeySet();
  private volatile boolean ended;

  /** Takes custody of a block; releases it at once if the custody already ended. */
  public void hold(Block block) {
    held.add(block);
    if (ended && take(block)) {
      block.release();
    }
  }

  /** Removes a block from custody; true if the caller now owns it, false if it was released. */
  public boolean take(Block block) {
    return held.remove(block);
  }

  /** Ends the custody: releases every block still held, and any that arrives later. */
  public void releaseAll() {
    ended = true;
    for (Block block : held) {
      if (take(block)) {
        block.release();
      }
    }
  }

  /** Whether {@link #releaseAll()} was called. */
  public boolean ended() {
    return ended;
  }
}
