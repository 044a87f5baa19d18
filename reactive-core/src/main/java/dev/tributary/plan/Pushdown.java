package dev.tributary.plan;

import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;

/**
 * What the plan above a {@link Read} handed to its source: the columns it needs (the others need
 * not be decoded), a filter the source applies exactly (parquet-mr's {@link FilterPredicate}),
 * and a row limit applied after the filter.
 *
 * @param columns the columns to read, in order, or null for all
 * @param filter the rows to keep, or null for all
 * @param limit the most rows to read, or -1 for all
 */
public record Pushdown(List<String> columns, FilterPredicate filter, long limit) {
  /** The longest predicate text plans show (an {@code in} of many values is cut). */
  static final int MAX_SHOWN = 100;

  /** Nothing pushed: every column and row. */
  public static final Pushdown NONE = new Pushdown(null, null, -1);

  /** What a source may take over. */
  public enum Kind {
    /** Reading only some columns. */
    COLUMNS,
    /** Applying a {@link FilterPredicate}. */
    FILTER,
    /** Reading only the first rows. */
    LIMIT
  }

  /** Copies the column list and checks the limit. */
  public Pushdown {
    columns = columns == null ? null : List.copyOf(columns);
    if (limit < -1) {
      throw new IllegalArgumentException("limit must be >= -1, was " + limit);
    }
  }

  /** Whether nothing is pushed. */
  public boolean isNone() {
    return columns == null && filter == null && limit < 0;
  }

  /** A copy reading only {@code names}. */
  public Pushdown withColumns(List<String> names) {
    return new Pushdown(names, filter, limit);
  }

  /** A copy that also keeps only the rows {@code predicate} accepts. */
  public Pushdown withFilter(FilterPredicate predicate) {
    return new Pushdown(columns, filter == null ? predicate : FilterApi.and(filter, predicate),
        limit);
  }

  /** A copy reading at most {@code rows} rows (the smaller limit when one is set). */
  public Pushdown withLimit(long rows) {
    return new Pushdown(columns, filter, limit < 0 ? rows : Math.min(limit, rows));
  }

  /** {@code columns=[x], filter=gt(id, 10), limit=5}, naming only what is pushed. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    if (columns != null) {
      parts.add("columns=" + columns);
    }
    if (filter != null) {
      parts.add("filter=" + shown(filter));
    }
    if (limit >= 0) {
      parts.add("limit=" + limit);
    }
    return String.join(", ", parts);
  }

  /** {@code predicate} as plans show it: its text, cut after {@link #MAX_SHOWN} characters. */
  static String shown(Object predicate) {
    String text = String.valueOf(predicate);
    return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN - 3) + "...";
  }
}
