package dev.tributary.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A conditional expression being built: {@code when(c1, v1).when(c2, v2).otherwise(v)}, or
 * {@link #otherwiseNull()}. Branches are tried in order; the value of the first whose condition is
 * true is taken (a null condition counts as not true). The values must share a type (int64 and
 * float64 mix as float64).
 */
public final class When {
  private final List<Expr> branches;

  When(List<Expr> branches) {
    this.branches = List.copyOf(branches);
  }

  /** A further branch: {@code value} where {@code condition} is true and no earlier one was. */
  public When when(Expr condition, Object value) {
    List<Expr> more = new ArrayList<>(branches);
    more.add(Objects.requireNonNull(condition, "condition"));
    more.add(Expr.lit(value));
    return new When(more);
  }

  /** The expression: {@code value} where no condition is true. */
  public Expr otherwise(Object value) {
    List<Expr> all = new ArrayList<>(branches);
    all.add(Expr.lit(value));
    return new Expr(Expr.Op.WHEN, all, true);
  }

  /** The expression: null where no condition is true (SQL's CASE without ELSE). */
  public Expr otherwiseNull() {
    return new Expr(Expr.Op.WHEN, branches, false);
  }
}
