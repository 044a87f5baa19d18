package dev.tributary.plan;

import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The blocks, unchanged, in a random order drawn from a seed (Ray Data's {@code
 * randomize_block_order}): a pipeline break, run through an exchange.
 *
 * @param input the input
 * @param seed the seed (the same blocks in the same order give the same output)
 */
public record BlockShuffle(LogicalPlan input, long seed) implements LogicalPlan {
  /** Checks the input. */
  public BlockShuffle {
    Objects.requireNonNull(input, "input");
  }

  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public List<String> columns() {
    return input.columns();
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(input);
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
