package dev.tributary.plan;

import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.RandomSample;
import java.util.List;
import java.util.Objects;

/**
 * Each row kept with probability {@code fraction}, drawn from {@code seed} in row order.
 *
 * @param input the input
 * @param fraction the probability of keeping a row
 * @param seed the seed
 */
public record Sample(LogicalPlan input, double fraction, long seed) implements SameColumns {
  /** Checks the arguments. */
  public Sample {
    Objects.requireNonNull(input, "input");
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1], was " + fraction);
    }
  }

  /** A fresh transform (its random sequence starts over): one per execution. */
  public BlockTransform transform() {
    return RandomSample.of(fraction, seed);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Sample(Inputs.one(inputs, "a sample"), fraction, seed);
  }

  @Override
  public String describe() {
    return "RandomSample[" + fraction + ", seed " + seed + "]";
  }
}
