package dev.tributary.plan;

import dev.tributary.columnar.Schemas;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The inputs' rows one input after the other; their schemas unify ({@link Schemas#unify}).
 *
 * @param inputs the inputs, at least one
 */
public record Union(List<LogicalPlan> inputs) implements LogicalPlan {
  /** Copies the inputs. */
  public Union {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("a union needs at least one input");
    }
  }

  /** The inputs' schemas unified when every one is known, else null. */
  @Override
  public Schema schema() {
    Schema unified = null;
    for (LogicalPlan input : inputs) {
      Schema s = input.schema();
      if (s == null) {
        return null;
      }
      unified = unified == null ? s : Schemas.unify(unified, s, "union");
    }
    return unified;
  }

  @Override
  public List<String> columns() {
    return inputs.get(0).columns();
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    if (inputs.size() != this.inputs.size()) {
      throw new IllegalArgumentException("this union takes " + this.inputs.size()
          + " inputs, was given " + inputs.size());
    }
    return new Union(inputs);
  }

  @Override
  public String describe() {
    return "Union[" + inputs.size() + " inputs]";
  }
}
