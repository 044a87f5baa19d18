package dev.tributary.connectors;

import java.util.HashSet;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.filter2.predicate.UserDefinedPredicate;

/**
 * A user's filter predicate as a source keeps it: the same predicate with the value set of every
 * {@code in} and {@code notIn} copied into a {@link HashSet}. parquet-mr's row-group filters ask
 * those sets {@code contains(null)}, which immutable sets ({@code Set.of(...)}) answer with a
 * {@link NullPointerException} that would otherwise surface as a corrupt file; the copy also
 * keeps later changes to the caller's set from changing the source.
 */
final class FilterArgument implements FilterPredicate.Visitor<FilterPredicate> {
  private static final FilterArgument COPY = new FilterArgument();

  private FilterArgument() {}

  /** {@code predicate} with its value sets copied. */
  static FilterPredicate copyOf(FilterPredicate predicate) {
    return predicate.accept(COPY);
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.In<T> in) {
    return FilterApi.in(eqColumn(in.getColumn()), new HashSet<>(in.getValues()));
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.NotIn<T> notIn) {
    return FilterApi.notIn(eqColumn(notIn.getColumn()), new HashSet<>(notIn.getValues()));
  }

  /**
   * {@code column} as the column type {@code in} and {@code notIn} accept: every column an
   * {@code In} was built with is one.
   */
  @SuppressWarnings("unchecked")
  private static <T extends Comparable<T>, C extends Operators.Column<T>
      & Operators.SupportsEqNotEq> C eqColumn(Operators.Column<T> column) {
    return (C) column;
  }

  @Override
  public FilterPredicate visit(Operators.And and) {
    return FilterApi.and(and.getLeft().accept(this), and.getRight().accept(this));
  }

  @Override
  public FilterPredicate visit(Operators.Or or) {
    return FilterApi.or(or.getLeft().accept(this), or.getRight().accept(this));
  }

  @Override
  public FilterPredicate visit(Operators.Not not) {
    return FilterApi.not(not.getPredicate().accept(this));
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.Eq<T> eq) {
    return eq;
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.NotEq<T> notEq) {
    return notEq;
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.Lt<T> lt) {
    return lt;
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.LtEq<T> ltEq) {
    return ltEq;
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.Gt<T> gt) {
    return gt;
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.GtEq<T> gtEq) {
    return gtEq;
  }

  @Override
  public <T extends Comparable<T>> FilterPredicate visit(Operators.Contains<T> contains) {
    return contains;
  }

  @Override
  public <T extends Comparable<T>, U extends UserDefinedPredicate<T>> FilterPredicate visit(
      Operators.UserDefined<T, U> udp) {
    return udp;
  }

  @Override
  public <T extends Comparable<T>, U extends UserDefinedPredicate<T>> FilterPredicate visit(
      Operators.LogicalNotUserDefined<T, U> udp) {
    return udp;
  }
}
