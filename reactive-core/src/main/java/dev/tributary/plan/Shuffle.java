package dev.tributary.plan;

import java.util.List;
import java.util.Objects;

/**
 * The rows in a random order drawn from a seed: a pipeline break, run through an exchange.
 *
 * @param input the input
 * @param seed the seed (the same input in the same order gives the same output)
 */
public record Shuffle(LogicalPlan input, long seed) implements SameColumns {
  /** Checks the input. */
  public Shuffle {
    Objects.requireNonNull(input, "input");
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Shuffle(Inputs.one(inputs, "a shuffle"), seed);
  }

  @Override
  public String describe() {
    return "RandomShuffle[seed " + seed + "]";
  }
}
