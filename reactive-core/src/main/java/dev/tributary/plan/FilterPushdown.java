package dev.tributary.plan;

import java.util.List;
import java.util.Set;

/**
 * Moves each pushable filter ({@link Filter#predicate()} set) down to the reads under it and
 * into those whose source accepts a filter, where row groups are skipped by their statistics and
 * rows filtered exactly. A filter passes re-cuts, other filters (it then runs first, so they see
 * fewer rows, never other ones), projections that leave its columns' names alone, computed
 * columns ({@link Evaluate}) that pass its columns through unchanged, and unions (into every
 * input); it stops at user functions, limits (a limit then a filter is not a filter
 * then a limit) and reads that cannot take it (a source may refuse some predicates), where it
 * stays as a row filter.
 */
final class FilterPushdown implements Rule {
  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    LogicalPlan node = applyToInputs(plan);
    if (node instanceof Filter f && f.predicate() != null) {
      return sink(f.input(), f);
    }
    return node;
  }

  /** {@code filter} applied to {@code below}, as far down as it goes. */
  private LogicalPlan sink(LogicalPlan below, Filter filter) {
    if (below instanceof Read r && r.accepts(filter.predicate().predicate())
        && r.pushdown().limit() < 0) {
      return r.withPushdown(r.pushdown().withFilter(filter.predicate().predicate()));
    }
    if (below instanceof Rebatch || below instanceof Filter
        || below instanceof Project p && keepsNames(p, filter.predicate().columns())
        || below instanceof Evaluate e && e.evaluation().passesThrough(
            filter.predicate().columns())) {
      return below.withInputs(List.of(sink(below.inputs().get(0), filter)));
    }
    if (below instanceof Union u) {
      return u.withInputs(u.inputs().stream().map(input -> sink(input, filter)).toList());
    }
    return filter.withInputs(List.of(below));
  }

  /** Whether each of {@code columns} comes out of {@code project} as the input column it was. */
  private static boolean keepsNames(Project project, Set<String> columns) {
    List<String> in = project.input().columns();
    if (in == null) {
      return false;
    }
    java.util.Map<String, String> mapping = project.mapping().mapping(in);
    return columns.stream().allMatch(c -> c.equals(mapping.get(c)));
  }
}
