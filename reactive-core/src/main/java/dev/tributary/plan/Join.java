package dev.tributary.plan;

import dev.tributary.operators.join.JoinType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A hash join of two inputs on equal key columns. Output columns: the keys once, then the left
 * input's other columns, then the right's (semi and anti joins: the left's only).
 *
 * @param left the left (probe) input
 * @param right the right (build) input
 * @param keys the key columns, present on both sides with the same type
 * @param type which rows the join keeps
 */
public record Join(LogicalPlan left, LogicalPlan right, List<String> keys, JoinType type)
    implements LogicalPlan {
  /** Copies the keys. */
  public Join {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    keys = List.copyOf(keys);
    Objects.requireNonNull(type, "type");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a join needs at least one key column");
    }
  }

  /** Not computed: outer joins make columns nullable (the columns are known, see columns()). */
  @Override
  public Schema schema() {
    return null;
  }

  @Override
  public List<String> columns() {
    List<String> l = left.columns();
    List<String> r = right.columns();
    if (l == null || (r == null && !type.leftColumnsOnly())) {
      return null;
    }
    if (type.leftColumnsOnly()) {
      return l;
    }
    List<String> out = new ArrayList<>(keys);
    l.stream().filter(c -> !keys.contains(c)).forEach(out::add);
    r.stream().filter(c -> !keys.contains(c)).forEach(out::add);
    return out;
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(left, right);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    if (inputs.size() != 2) {
      throw new IllegalArgumentException("a join takes 2 inputs, was given " + inputs.size());
    }
    return new Join(inputs.get(0), inputs.get(1), keys, type);
  }

  @Override
  public String describe() {
    return "Join[" + type.name().toLowerCase(java.util.Locale.ROOT) + " on "
        + String.join(", ", keys) + "]";
  }
}
