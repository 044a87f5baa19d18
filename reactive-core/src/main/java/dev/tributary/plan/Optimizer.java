package dev.tributary.plan;

import java.util.List;

/**
 * Rewrites a logical plan into an equivalent one that reads less: filters pushed into the
 * reads that can apply them ({@link FilterPushdown}), then limits ({@link LimitPushdown}), then
 * projections ({@link ProjectionPushdown}). Results are the same rows in the same order as the
 * plan given; only what is read and decoded changes. Fusion of one-to-one operators into stages
 * is the physical planner's ({@code dev.tributary.exec}).
 */
public final class Optimizer {
  /** The rules, in order: a filter pushed first leaves no filter in a limit's way. */
  private static final List<Rule> RULES =
      List.of(new FilterPushdown(), new LimitPushdown(), new ProjectionPushdown());

  private Optimizer() {}

  /**
   * The optimized plan. May read metadata (Parquet footers) to learn columns; runs no user
   * function and reads no data.
   */
  public static LogicalPlan optimize(LogicalPlan plan) {
    LogicalPlan optimized = plan;
    for (Rule rule : RULES) {
      optimized = rule.apply(optimized);
    }
    return optimized;
  }
}
