package dev.tributary.plan;

import java.util.List;
import java.util.Objects;

/**
 * The blocks, unchanged, in a random order drawn from a seed (Ray Data's {@code
 * randomize_block_order}): a pipeline break, run through an exchange.
 *
 * @param input the input
 * @param seed the seed (the same blocks in the same order give the same output)
 */
public record BlockShuffle(LogicalPlan input, long seed) implements SameColumns {
  /** Checks the input. */
  public BlockShuffle {
    Objects.requireNonNull(input, "input");
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new BlockShuffle(Inputs.one(inputs, "a block shuffle"), seed);
  }

  @Override
  public String describe() {
    return "RandomizeBlockOrder[seed " + seed + "]";
  }
}
