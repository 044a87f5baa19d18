package dev.tributary.plan;

import dev.tributary.operators.aggregate.Aggregate;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;

/**
 * What the plan above a {@link Read} handed to its source: the columns it needs (the others need
 * not be decoded), a filter the source applies exactly (parquet-mr's {@link FilterPredicate}),
 * a row limit applied after the filter, and global aggregations whose {@link
 * Aggregate#partial() partial} results the source computes itself over the rows it reads,
 * handing on one row of them instead of the rows.
 *
 * @param columns the columns to read, in order, or null for all
 * @param filter the rows to keep, or null for all
 * @param limit the most rows to read, or -1 for all
 * @param aggregates the aggregations computed by the source, or null for none
 */
public record Pushdown(List<String> columns, FilterPredicate filter, long limit,
    List<Aggregate> aggregates) {
  /** The longest predicate text plans show (an {@code in} of many values is cut). */
  static final int MAX_SHOWN = 100;

  /** Nothing pushed: every column and row. */
  public static final Pushdown NONE = new Pushdown(null, null, -1, null);

  /** What a source may take over. */
  public enum Kind {
    /** Reading only some columns. */
    COLUMNS,
    /** Applying a {@link FilterPredicate}. */
    FILTER,
    /** Reading only the first rows. */
    LIMIT,
    /** Computing global aggregations' partial results over the rows read. */
    AGGREGATE
  }

  /** Copies the lists and checks the limit. */
  public Pushdown {
    columns = columns == null ? null : List.copyOf(columns);
    aggregates = aggregates == null ? null : List.copyOf(aggregates);
    if (limit < -1) {
      throw new IllegalArgumentException("limit must be >= -1, was " + limit);
    }
  }

  /** Columns, filter and limit pushed; no aggregation. */
  public Pushdown(List<String> columns, FilterPredicate filter, long limit) {
    this(columns, filter, limit, null);
  }

  /** Whether nothing is pushed. */
  public boolean isNone() {
    return columns == null && filter == null && limit < 0 && aggregates == null;
  }

  /** A copy reading only {@code names}. */
  public Pushdown withColumns(List<String> names) {
    return new Pushdown(names, filter, limit, aggregates);
  }

  /** A copy that also keeps only the rows {@code predicate} accepts. */
  public Pushdown withFilter(FilterPredicate predicate) {
    return new Pushdown(columns, filter == null ? predicate : FilterApi.and(filter, predicate),
        limit, aggregates);
  }

  /** A copy reading at most {@code rows} rows (the smaller limit when one is set). */
  public Pushdown withLimit(long rows) {
    return new Pushdown(columns, filter, limit < 0 ? rows : Math.min(limit, rows), aggregates);
  }

  /**
   * A copy whose source hands on {@code partials}' partial results over its rows, one row,
   * instead of the rows.
   */
  public Pushdown withAggregates(List<Aggregate> partials) {
    return new Pushdown(columns, filter, limit, partials);
  }

  /**
   * {@code columns=[x], filter=gt(id, 10), limit=5, aggregates=[sum(x)]}, naming only what is
   * pushed.
   */
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
    if (aggregates != null) {
      parts.add("aggregates=" + aggregates);
    }
    return String.join(", ", parts);
  }

  /** {@code predicate} as plans show it: its text, cut after {@link #MAX_SHOWN} characters. */
  static String shown(Object predicate) {
    String text = String.valueOf(predicate);
    return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN - 3) + "...";
  }
}
