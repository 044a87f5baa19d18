package dev.tributary.plan;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Every row replaced by the rows a function returns, output blocks cut as rows are made: its own
 * stage, opaque to every pushdown.
 *
 * @param input the input
 * @param fn the row function
 */
public record FlatMap(LogicalPlan input,
    Function<Map<String, Object>, ? extends Iterable<Map<String, Object>>> fn)
    implements LogicalPlan {
  /** Checks the arguments. */
  public FlatMap {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(fn, "fn");
  }

  /** Null: the output is known only by running. */
  @Override
  public Schema schema() {
    return null;
  }

  /** Null: the output is known only by running. */
  @Override
  public List<String> columns() {
    return null;
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(input);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new FlatMap(Inputs.one(inputs, "a flat map"), fn);
  }

  @Override
  public String describe() {
    return "FlatMap";
  }
}
