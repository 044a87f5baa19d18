package dev.tributary.plan;

import dev.tributary.expr.Evaluation;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Columns computed from expressions ({@code withColumn(name, expr)}, {@code withColumns}, {@code
 * select(exprs...)}): one row out per row in, typed when built, so its schema is known wherever
 * its input's is, projections are pushed through it (a read decodes only the columns its
 * expressions and the plan above use) and so are limits. Adjacent expression steps (these and
 * expression filters) run as one {@link Evaluation} per block once fused into a stage.
 *
 * @param input the input
 * @param evaluation the steps, none of them a filter
 */
public record Evaluate(LogicalPlan input, Evaluation evaluation) implements LogicalPlan {
  /** Checks the arguments. */
  public Evaluate {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(evaluation, "evaluation");
    if (evaluation.filters()) {
      throw new IllegalArgumentException("an expression filter is a Filter node: " + evaluation);
    }
  }

  @Override
  public Schema schema() {
    Schema in = input.schema();
    return in == null ? null : evaluation.schema(in);
  }

  @Override
  public List<String> columns() {
    List<String> in = input.columns();
    return in == null ? null : evaluation.columns(in);
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(input);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Evaluate(Inputs.one(inputs, "an evaluation"), evaluation);
  }

  @Override
  public String describe() {
    return "Evaluate[" + evaluation + "]";
  }
}
