package dev.tributary.plan;

import java.util.List;
import java.util.Objects;

/**
 * Re-cuts blocks into blocks of {@code rows} rows (the last may be shorter); rows and columns are
 * unchanged, so every pushdown passes through it. It starts a stage, which the default operators
 * after it join.
 *
 * @param input the input
 * @param rows rows per block
 */
public record Rebatch(LogicalPlan input, int rows) implements SameColumns {
  /** Checks the arguments. */
  public Rebatch {
    Objects.requireNonNull(input, "input");
    if (rows < 1) {
      throw new IllegalArgumentException("rows must be >= 1, was " + rows);
    }
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Rebatch(Inputs.one(inputs, "a rebatch"), rows);
  }

  @Override
  public String describe() {
    return "Rebatch[" + rows + "]";
  }
}
