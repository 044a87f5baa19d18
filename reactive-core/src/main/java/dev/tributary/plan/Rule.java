package dev.tributary.plan;

/** One rewrite of the optimizer: a plan in, an equivalent plan out (the same rows, in order). */
interface Rule {
  /** The rewritten plan ({@code plan} itself when nothing applies). */
  LogicalPlan apply(LogicalPlan plan);

  /** {@code plan} with this rule applied to its inputs first (bottom-up). */
  default LogicalPlan applyToInputs(LogicalPlan plan) {
    if (plan.inputs().isEmpty()) {
      return plan;
    }
    return plan.withInputs(plan.inputs().stream().map(this::apply).toList());
  }
}
