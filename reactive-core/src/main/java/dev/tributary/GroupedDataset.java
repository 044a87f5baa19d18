package dev.tributary;

import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.plan.GroupMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A dataset grouped by key columns ({@link Dataset#groupBy}): aggregations per group, each a
 * dataset of one row per group with the key columns first, groups in no particular order (sort
 * afterwards if needed). Rows with a null key form a group of their own. Nothing runs until the
 * result is consumed. See {@link Aggregate} for the aggregations and how nulls and NaN count.
 */
public final class GroupedDataset {
  private final Dataset dataset;
  private final List<String> keys;

  GroupedDataset(Dataset dataset, List<String> keys) {
    this.dataset = dataset;
    this.keys = List.copyOf(keys);
  }

  /** The key columns. */
  public List<String> keys() {
    return keys;
  }

  /**
   * Several aggregations per group, computed in one pass by hash aggregation (spilling partial
   * states to disk when the table outgrows its budget).
   *
   * @throws IllegalArgumentException if none is given
   * @throws dev.tributary.memory.ColumnException if an aggregated column is missing or of a type
   *     the aggregation cannot read (checked here when the columns are known without running),
   *     or two output columns share a name
   */
  public Dataset aggregate(Aggregate... aggregates) {
    Objects.requireNonNull(aggregates, "aggregates");
    return dataset.aggregated(keys, Arrays.asList(aggregates));
  }

  /** The number of rows per group, in column {@code count()}. */
  public Dataset count() {
    return aggregate(Aggregate.count());
  }

  /** The sum of each column per group ({@code sum(c)}). */
  public Dataset sum(String... columns) {
    return each(columns, Aggregate::sum);
  }

  /** The smallest value of each column per group ({@code min(c)}). */
  public Dataset min(String... columns) {
    return each(columns, Aggregate::min);
  }

  /** The largest value of each column per group ({@code max(c)}). */
  public Dataset max(String... columns) {
    return each(columns, Aggregate::max);
  }

  /** The mean of each column per group ({@code mean(c)}). */
  public Dataset mean(String... columns) {
    return each(columns, Aggregate::mean);
  }

  /** The sample standard deviation (ddof 1) of each column per group ({@code std(c)}). */
  public Dataset std(String... columns) {
    return each(columns, Aggregate::std);
  }

  private Dataset each(String[] columns, Function<String, Aggregate> aggregation) {
    Objects.requireNonNull(columns, "columns");
    if (columns.length == 0) {
      throw new IllegalArgumentException("name at least one column");
    }
    List<Aggregate> aggregates = new ArrayList<>();
    for (int i = 0; i < columns.length; i++) {
      aggregates.add(aggregation.apply(Objects.requireNonNull(columns[i], "columns[" + i + "]")));
    }
    return dataset.aggregated(keys, aggregates);
  }

  /**
   * Applies {@code fn} to each whole group (Ray's {@code map_groups}): it sees all of a group's
   * rows as one Arrow batch (read-only, in input order) and returns it or a new batch allocated
   * with the allocator it is given; the results, one or more rows per group, make the output.
   * The input is hash-partitioned by the keys, spilling to disk beyond the stage's budget; one
   * partition (about a sixteenth of the input, or the largest group) must fit in memory.
   */
  public Dataset mapGroups(ArrowBatchFunction fn) {
    Objects.requireNonNull(fn, "fn");
    return dataset.derive(new GroupMap(dataset.plan, keys, fn::apply));
  }

  @Override
  public String toString() {
    return "GroupedDataset[by " + keys + " of " + dataset + "]";
  }
}
