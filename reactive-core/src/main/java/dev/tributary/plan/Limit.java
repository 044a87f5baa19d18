package dev.tributary.plan;

import java.util.List;
import java.util.Objects;

/**
 * The first {@code rows} rows; upstream stops once they are produced.
 *
 * @param input the input
 * @param rows the most rows to pass
 */
public record Limit(LogicalPlan input, long rows) implements SameColumns {
  /** Checks the arguments. */
  public Limit {
    Objects.requireNonNull(input, "input");
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, was " + rows);
    }
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Limit(Inputs.one(inputs, "a limit"), rows);
  }

  @Override
  public String describe() {
    return "Limit[" + rows + "]";
  }
}
