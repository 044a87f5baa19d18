package dev.tributary.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Row-aligned column concatenation of two inputs of equal row count: the left's columns, then
 * the right's.
 *
 * @param left the input whose columns come first
 * @param right the input whose columns follow
 */
public record Zip(LogicalPlan left, LogicalPlan right) implements LogicalPlan {
  /** Checks the inputs. */
  public Zip {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
  }

  /** Both inputs' fields, when both schemas are known, else null. */
  @Override
  public Schema schema() {
    Schema l = left.schema();
    Schema r = right.schema();
    if (l == null || r == null) {
      return null;
    }
    List<Field> fields = new ArrayList<>(l.getFields());
    fields.addAll(r.getFields());
    return new Schema(fields);
  }

  @Override
  public List<String> columns() {
    List<String> l = left.columns();
    List<String> r = right.columns();
    if (l == null || r == null) {
      return null;
    }
    List<String> all = new ArrayList<>(l);
    all.addAll(r);
    return List.copyOf(all);
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(left, right);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    if (inputs.size() != 2) {
      throw new IllegalArgumentException("a zip takes 2 inputs, was given " + inputs.size());
    }
    return new Zip(inputs.get(0), inputs.get(1));
  }

  @Override
  public String describe() {
    return "Zip";
  }
}
