package dev.tributary.operators.exchange;

import java.util.Objects;

/**
 * One column of an ordering. Serializable, so that a distributed engine can ship a sort.
 *
 * @param column the column
 * @param descending whether larger values come first
 * @param nullsLast whether nulls come after every value (else before)
 */
public record SortKey(String column, boolean descending, boolean nullsLast)
    implements java.io.Serializable {
  /** Checks the column name. */
  public SortKey {
    Objects.requireNonNull(column, "column");
  }

  /** Ascending with nulls last: Ray Data's default order. */
  public static SortKey asc(String column) {
    return new SortKey(column, false, true);
  }

  /** Descending with nulls last. */
  public static SortKey desc(String column) {
    return new SortKey(column, true, true);
  }

  /**
   * Compares two values of this key's column (as the columnar module reads them) in the order
   * the sort uses, nulls and direction included: strings by code point (UTF-8 byte) order,
   * floating point with NaN largest, binary unsigned. A distributed engine cutting key ranges
   * must use this order, or its ranges disagree with the sorted runs inside them.
   */
  public int compare(Object x, Object y) {
    return RowOrder.compareValues(this, x, y);
  }
}
