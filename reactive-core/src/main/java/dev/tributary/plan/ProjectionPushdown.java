package dev.tributary.plan;

import dev.tributary.expr.Evaluation;
import dev.tributary.operators.ColumnMapping;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Narrows each read to the columns used above it, for sources that accept a projection (a Parquet
 * read then decodes only those). The columns needed are carried down from the plan's output (all
 * of them) through projections (the input columns their outputs come from), pushable filters
 * and expression filters (plus the columns they test), computed columns ({@link Evaluate}: the
 * columns their expressions read and those they pass on), limits and re-cuts; user functions see
 * whole rows, so below them every column is needed. Projections above a narrowed read are rewritten to name only columns
 * still there, and dropped where they no longer change anything. A union passes the need to
 * every input through a projection of its own, so the inputs keep the same columns.
 */
final class ProjectionPushdown implements Rule {
  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    return prune(plan, null);
  }

  /**
   * {@code node} with its reads narrowed, when only {@code needed} of its output columns are used
   * (null: all).
   */
  private LogicalPlan prune(LogicalPlan node, Set<String> needed) {
    if (node instanceof Read r) {
      return narrow(r, needed);
    }
    if (node instanceof Project p) {
      return project(p, needed);
    }
    if (node instanceof Filter f) {
      Set<String> below = null;
      if (needed != null && f.transform() instanceof Evaluation e) {
        below = e.inputColumns(needed, List.of());
      } else if (needed != null && f.predicate() != null) {
        below = new HashSet<>(needed);
        below.addAll(f.predicate().columns());
      }
      return f.withInputs(List.of(prune(f.input(), below)));
    }
    if (node instanceof Evaluate e) {
      List<String> in = e.input().columns();
      Set<String> below = in == null ? null : e.evaluation().inputColumns(needed, in);
      return e.withInputs(List.of(prune(e.input(), below)));
    }
    if (node instanceof Limit || node instanceof Rebatch) {
      return node.withInputs(List.of(prune(node.inputs().get(0), needed)));
    }
    if (node instanceof Union u) {
      return union(u, needed);
    }
    if (node instanceof GroupAggregate a) {
      return a.withInputs(List.of(prune(a.input(), a.inputColumns())));
    }
    // User functions and sinks use every column of their input.
    return node.withInputs(node.inputs().stream().map(input -> prune(input, null)).toList());
  }

  /**
   * The projection with its input narrowed to the columns its needed outputs come from. Its
   * mapping is then rewritten to name only those (a {@code drop} of a column no longer read
   * would fail), and it disappears where it would hand on its input unchanged.
   */
  private LogicalPlan project(Project project, Set<String> needed) {
    List<String> in = project.input().columns();
    if (in == null) {
      return project.withInputs(List.of(prune(project.input(), null)));
    }
    Map<String, String> mapping = project.mapping().mapping(in);
    Map<String, String> kept = new LinkedHashMap<>();
    mapping.forEach((out, from) -> {
      if (needed == null || needed.contains(out)) {
        kept.put(out, from);
      }
    });
    LogicalPlan input = prune(project.input(), Set.copyOf(kept.values()));
    List<String> narrowed = input.columns();
    if (narrowed == null || narrowed.equals(in)) {
      return project.withInputs(List.of(input));
    }
    boolean identity = kept.entrySet().stream().allMatch(e -> e.getKey().equals(e.getValue()));
    if (identity && List.copyOf(kept.keySet()).equals(narrowed)) {
      return input;
    }
    return new Project(input, ColumnMapping.of(kept));
  }

  private static LogicalPlan narrow(Read read, Set<String> needed) {
    if (needed == null || !read.accepts(Pushdown.Kind.COLUMNS)) {
      return read;
    }
    List<String> columns = read.columns();
    if (columns == null) {
      return read;
    }
    List<String> kept = columns.stream().filter(needed::contains).toList();
    if (kept.isEmpty() || kept.size() == columns.size()) {
      return read;
    }
    return read.withPushdown(read.pushdown().withColumns(kept));
  }

  private LogicalPlan union(Union union, Set<String> needed) {
    List<String> columns = needed == null ? null : union.columns();
    if (columns == null || needed.containsAll(columns)) {
      return union.withInputs(union.inputs().stream().map(input -> prune(input, null)).toList());
    }
    ColumnMapping select = ColumnMapping.select(
        columns.stream().filter(needed::contains).toList());
    return union.withInputs(union.inputs().stream()
        .map(input -> prune(new Project(input, select), needed)).toList());
  }
}
