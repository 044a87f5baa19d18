package dev.tributary.connectors;

import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.filter2.predicate.UserDefinedPredicate;

/**
 * Whether a Parquet predicate's leaves are all range comparisons ({@code lt}, {@code ltEq},
 * {@code gt}, {@code gtEq}) of a value: a row group's min/max statistics then rule it out
 * whenever its dictionary could, so the dictionaries need not be read to skip row groups.
 * Equality, {@code in}, null tests and user-defined predicates can be ruled out by a dictionary
 * or bloom filter where the statistics cannot.
 */
final class RangeOnly implements FilterPredicate.Visitor<Boolean> {
  private static final RangeOnly INSTANCE = new RangeOnly();

  private RangeOnly() {}

  /** Whether {@code predicate} compares only by range. */
  static boolean of(FilterPredicate predicate) {
    return predicate.accept(INSTANCE);
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.Eq<T> eq) {
    return false;
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.NotEq<T> notEq) {
    return false;
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.Lt<T> lt) {
    return true;
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.LtEq<T> ltEq) {
    return true;
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.Gt<T> gt) {
    return true;
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.GtEq<T> gtEq) {
    return true;
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.In<T> in) {
    return false;
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.NotIn<T> notIn) {
    return false;
  }

  @Override
  public <T extends Comparable<T>> Boolean visit(Operators.Contains<T> contains) {
    return false;
  }

  @Override
  public Boolean visit(Operators.And and) {
    return and.getLeft().accept(this) && and.getRight().accept(this);
  }

  @Override
  public Boolean visit(Operators.Or or) {
    return or.getLeft().accept(this) && or.getRight().accept(this);
  }

  @Override
  public Boolean visit(Operators.Not not) {
    return false;
  }

  @Override
  public <T extends Comparable<T>, U extends UserDefinedPredicate<T>> Boolean visit(
      Operators.UserDefined<T, U> udp) {
    return false;
  }

  @Override
  public <T extends Comparable<T>, U extends UserDefinedPredicate<T>> Boolean visit(
      Operators.LogicalNotUserDefined<T, U> udp) {
    return false;
  }
}
