package dev.tributary.plan;

import java.util.List;
import java.util.Objects;

/**
 * The rows re-cut into a number of blocks: in order and even without keys, by hash of the keys
 * with them. A pipeline break, run through an exchange.
 *
 * @param input the input
 * @param blocks how many blocks
 * @param keys the hash keys, or none
 */
public record Repartition(LogicalPlan input, int blocks, List<String> keys)
    implements SameColumns {
  /** Checks and copies the arguments. */
  public Repartition {
    Objects.requireNonNull(input, "input");
    if (blocks < 1) {
      throw new IllegalArgumentException("blocks must be >= 1, was " + blocks);
    }
    keys = List.copyOf(keys);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Repartition(Inputs.one(inputs, "a repartition"), blocks, keys);
  }

  @Override
  public String describe() {
    return "Repartition[" + blocks + (keys.isEmpty() ? "" : " by " + String.join(", ", keys))
        + "]";
  }
}
