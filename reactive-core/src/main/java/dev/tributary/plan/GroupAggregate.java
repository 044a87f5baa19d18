package dev.tributary.plan;

import dev.tributary.operators.aggregate.Aggregate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Aggregations per group of key values ({@code groupBy(keys).aggregate(...)}), or over all rows
 * when there are no keys (one output row, also for no input). A pipeline breaker: it reads all
 * of its input before its first output row.
 *
 * @param input the input
 * @param keys the key columns (none: one group)
 * @param aggregates the aggregations, at least one
 */
public record GroupAggregate(LogicalPlan input, List<String> keys, List<Aggregate> aggregates)
    implements LogicalPlan {
  /** Copies the lists. */
  public GroupAggregate {
    Objects.requireNonNull(input, "input");
    keys = List.copyOf(keys);
    aggregates = List.copyOf(aggregates);
    if (aggregates.isEmpty()) {
      throw new IllegalArgumentException("an aggregation needs at least one aggregate");
    }
  }

  /** Not known without running: result types depend on the blocks' own types. */
  @Override
  public Schema schema() {
    return null;
  }

  @Override
  public List<String> columns() {
    List<String> out = new ArrayList<>(keys);
    aggregates.forEach(a -> out.add(a.name()));
    return out;
  }

  /**
   * The input columns it reads (keys and aggregated columns), or null when a user aggregation
   * sees whole batches.
   */
  public Set<String> inputColumns() {
    Set<String> used = new LinkedHashSet<>(keys);
    for (Aggregate a : aggregates) {
      if (a.readsAllColumns()) {
        return null;
      }
      if (a.column() != null) {
        used.add(a.column());
      }
    }
    return used;
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(input);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new GroupAggregate(Inputs.one(inputs, "an aggregation"), keys, aggregates);
  }

  @Override
  public String describe() {
    return "Aggregate[" + (keys.isEmpty() ? "" : "by " + String.join(", ", keys) + ": ")
        + String.join(", ", aggregates.stream().map(Aggregate::toString).toList()) + "]";
  }
}
