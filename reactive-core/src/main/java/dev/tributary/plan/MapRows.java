package dev.tributary.plan;

import dev.tributary.operators.BlockTransform;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An opaque row function that makes one output row per input row ({@code map}, {@code
 * withColumn}): it reads every column, so projections are not pushed through it, but a limit is.
 *
 * @param input the input
 * @param name the operator's name in plans and stats
 * @param transform the function as it runs on blocks
 * @param outputColumns the output column names from the input's, or null when only running tells
 */
public record MapRows(LogicalPlan input, String name, BlockTransform transform,
    UnaryOperator<List<String>> outputColumns) implements LogicalPlan {
  /** Checks the arguments. */
  public MapRows {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(transform, "transform");
  }

  /** Null: the output types are known only by running. */
  @Override
  public Schema schema() {
    return null;
  }

  @Override
  public List<String> columns() {
    if (outputColumns == null) {
      return null;
    }
    List<String> in = input.columns();
    return in == null ? null : outputColumns.apply(in);
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(input);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new MapRows(Inputs.one(inputs, "a map"), name, transform, outputColumns);
  }

  @Override
  public String describe() {
    return name;
  }
}
