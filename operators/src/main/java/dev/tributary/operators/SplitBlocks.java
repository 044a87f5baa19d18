package dev.tributary.operators;

import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * Splits blocks larger than a byte target into near-equal pieces by rows, each a copy in the
 * block's own account (so each piece is charged, and freed, on its own); smaller blocks pass.
 */
public final class SplitBlocks implements Function<Flux<Block>, Flux<Block>> {
  private final long maxBytes;

  private SplitBlocks(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Splits blocks above {@code maxBytes}. */
  public static SplitBlocks above(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
    }
    return new SplitBlocks(maxBytes);
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    return upstream.concatMapIterable(this::split, 1).doOnDiscard(Block.class, Blocks::release);
  }

  private List<Block> split(Block block) {
    int rows = block.rowCount();
    if (block.sizeBytes() <= maxBytes || rows < 2) {
      return List.of(block);
    }
    int pieces = (int) Math.min(rows, (block.sizeBytes() + maxBytes - 1) / maxBytes);
    List<Block> out = new ArrayList<>(pieces);
    try (block) {
      for (int p = 0; p < pieces; p++) {
        int from = (int) ((long) rows * p / pieces);
        int to = (int) ((long) rows * (p + 1) / pieces);
        try (Block view = block.slice(from, to - from)) {
          out.add(Blocks.copy(block.owner(), view.root()));
        }
      }
      return out;
    } catch (RuntimeException e) {
      out.forEach(Blocks::release);
      throw e;
    }
  }
}
