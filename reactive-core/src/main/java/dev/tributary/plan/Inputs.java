package dev.tributary.plan;

import java.util.List;

/** Checks on the inputs a rule hands to {@link LogicalPlan#withInputs}. */
final class Inputs {
  private Inputs() {}

  /** The one input of a single-input node. */
  static LogicalPlan one(List<LogicalPlan> inputs, String node) {
    if (inputs.size() != 1) {
      throw new IllegalArgumentException(node + " takes one input, was given " + inputs.size());
    }
    return inputs.get(0);
  }
}
