package dev.tributary.plan;

import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The rows in a random order drawn from a seed: a pipeline break, run through an exchange.
 *
 * @param input the input
 * @param seed the seed (the same input in the same order gives the same output)
 */
public record Shuffle(LogicalPlan input, long seed) implements LogicalPlan {
  /** Checks the input. */
  public Shuffle {
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
    return new Shuffle(Inputs.one(inputs, "a shuffle"), seed);
  }

  @Override
  public String describe() {
    return "RandomShuffle[seed " + seed + "]";
  }
}
