package dev.tributary.plan;

import dev.tributary.connectors.ParquetFilter;
import dev.tributary.expr.Evaluation;
import dev.tributary.expr.Expr;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.BlockTransform;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterPredicate;

/**
 * Keeps some rows; the schema is unchanged. Either an opaque user predicate (a row or batch
 * function: it runs where it stands), an expression ({@link #of(LogicalPlan, Expr)}), or a
 * parquet-mr predicate the optimizer can push into a
 * source that accepts it ({@link #predicate()} is then set; where it is not pushed, the same
 * predicate runs as a row filter with Parquet's semantics).
 *
 * @param input the input
 * @param name the operator's name in plans and stats
 * @param transform the filter as it runs on blocks when not pushed
 * @param predicate the pushable predicate, or null for an opaque one
 */
public record Filter(LogicalPlan input, String name, BlockTransform transform,
    ParquetFilter predicate) implements SameColumns {
  /** Checks the arguments. */
  public Filter {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(transform, "transform");
  }

  /** An opaque filter named {@code name}: {@code transform} keeps rows of each block. */
  public static Filter opaque(LogicalPlan input, String name, BlockTransform transform) {
    return new Filter(input, name, transform, null);
  }

  /** A pushable filter keeping the rows {@code predicate} accepts. */
  public static Filter of(LogicalPlan input, ParquetFilter predicate) {
    return new Filter(input, "Where[" + Pushdown.shown(predicate) + "]", predicate::keep,
        predicate);
  }

  /**
   * A filter keeping the rows where {@code predicate} is true, typed now when the input's schema
   * is known. It runs as a vectorized {@link Evaluation}; where it translates exactly into a
   * Parquet predicate ({@link ExprPredicates}) it is also pushable, into a read or past the nodes
   * {@link FilterPushdown} passes.
   *
   * @throws dev.tributary.expr.ExpressionException if it does not type-check against the known
   *     input schema
   */
  public static Filter of(LogicalPlan input, Expr predicate) {
    Evaluation evaluation = Evaluation.filter(predicate);
    Schema known = input.schema();
    ParquetFilter pushable = null;
    if (known != null) {
      evaluation.schema(known);
      FilterPredicate translated = ExprPredicates.whereTrue(predicate, known);
      if (translated != null) {
        ParquetFilter candidate = ParquetFilter.of(translated);
        try {
          candidate.check(known, "filter");
          pushable = candidate;
        } catch (ColumnException unfit) {
          // Left to the evaluation: a column whose Parquet form the predicate does not fit.
        }
      }
    }
    return new Filter(input, "Filter[" + predicate + "]", evaluation, pushable);
  }

  /**
   * The filters keeping the rows where {@code predicate} is true: {@link #of(LogicalPlan, Expr)},
   * unless only some of its top-level {@code and} conjuncts translate into a Parquet predicate;
   * then a pushable filter of those under a filter of the others (the same rows: a row is kept
   * when every conjunct is true), so a read can still skip row groups by the first.
   */
  public static LogicalPlan split(LogicalPlan input, Expr predicate) {
    Schema known = input.schema();
    List<Expr> conjuncts = new java.util.ArrayList<>();
    conjuncts(predicate, conjuncts);
    if (known == null || conjuncts.size() == 1) {
      return of(input, predicate);
    }
    List<Expr> pushable = new java.util.ArrayList<>();
    List<Expr> rest = new java.util.ArrayList<>();
    for (Expr c : conjuncts) {
      (ExprPredicates.whereTrue(c, known) != null ? pushable : rest).add(c);
    }
    if (pushable.isEmpty() || rest.isEmpty()) {
      return of(input, predicate);
    }
    return of(of(input, all(pushable)), all(rest));
  }

  private static void conjuncts(Expr e, List<Expr> out) {
    if (e.function().equals("and")) {
      e.arguments().forEach(a -> conjuncts(a, out));
    } else {
      out.add(e);
    }
  }

  private static Expr all(List<Expr> conjuncts) {
    return Expr.and(conjuncts.get(0), conjuncts.subList(1, conjuncts.size()).toArray(Expr[]::new));
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Filter(Inputs.one(inputs, "a filter"), name, transform, predicate);
  }

  @Override
  public String describe() {
    return name;
  }
}
