package dev.tributary.plan;

import dev.tributary.operators.exchange.SortKey;
import java.util.List;
import java.util.Objects;

/**
 * The rows ordered by keys, stable (equal keys keep their order): a pipeline break, run as an
 * external merge sort.
 *
 * @param input the input
 * @param keys the sort keys, most significant first
 */
public record Sort(LogicalPlan input, List<SortKey> keys) implements SameColumns {
  /** Checks and copies the arguments. */
  public Sort {
    Objects.requireNonNull(input, "input");
    keys = List.copyOf(keys);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("sort needs at least one key");
    }
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Sort(Inputs.one(inputs, "a sort"), keys);
  }

  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder("Sort[");
    for (int i = 0; i < keys.size(); i++) {
      SortKey k = keys.get(i);
      sb.append(i == 0 ? "" : ", ").append(k.column()).append(k.descending() ? " desc" : "")
          .append(k.nullsLast() ? "" : " nulls first");
    }
    return sb.append(']').toString();
  }
}
