package dev.tributary.plan;

import java.util.List;

/**
 * Hands each limit to the read under it when nothing in between can change which rows come first:
 * projections, re-cuts, one-row-per-row functions ({@link MapRows}, {@link Evaluate}) and other
 * limits. A source
 * that accepts it reads only what the limit needs (a Parquet read, only the row groups holding
 * the first rows). The limit itself stays where it was, so the result is exact whatever the
 * source does with it. Filters, batch functions, flat maps and unions stop it.
 */
final class LimitPushdown implements Rule {
  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    LogicalPlan node = applyToInputs(plan);
    if (node instanceof Limit l) {
      return l.withInputs(List.of(push(l.input(), l.rows())));
    }
    return node;
  }

  private LogicalPlan push(LogicalPlan below, long rows) {
    if (below instanceof Read r && r.accepts(Pushdown.Kind.LIMIT)) {
      return r.withPushdown(r.pushdown().withLimit(rows));
    }
    if (below instanceof Project || below instanceof Rebatch || below instanceof MapRows
        || below instanceof Evaluate) {
      return below.withInputs(List.of(push(below.inputs().get(0), rows)));
    }
    if (below instanceof Limit l) {
      return l.withInputs(List.of(push(l.input(), Math.min(rows, l.rows()))));
    }
    return below;
  }
}
