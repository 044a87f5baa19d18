package dev.tributary.plan;

import dev.tributary.operators.ColumnMapping;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Column reshaping: {@code select}, {@code drop} or {@code rename} as one column mapping (zero-copy
 * at run time). It knows which input columns each output column comes from, which is what
 * projection pushdown needs.
 *
 * @param input the input
 * @param mapping the output columns and the input columns they are
 */
public record Project(LogicalPlan input, ColumnMapping mapping) implements LogicalPlan {
  /** Checks the arguments. */
  public Project {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(mapping, "mapping");
  }

  @Override
  public Schema schema() {
    // The input's schema is asked for only when it matters: a file source reads metadata.
    Schema in = input.schema();
    return in == null ? null : mapping.schema(in);
  }

  @Override
  public List<String> columns() {
    List<String> in = input.columns();
    return in == null ? null : List.copyOf(mapping.mapping(in).keySet());
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(input);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Project(Inputs.one(inputs, "a projection"), mapping);
  }

  @Override
  public String describe() {
    return mapping.toString();
  }
}
