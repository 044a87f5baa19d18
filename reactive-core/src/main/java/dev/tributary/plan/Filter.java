package dev.tributary.plan;

import dev.tributary.connectors.ParquetFilter;
import dev.tributary.operators.BlockTransform;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Keeps some rows; the schema is unchanged. Either an opaque user predicate (a row or batch
 * function: it runs where it stands) or a parquet-mr predicate the optimizer can push into a
 * source that accepts it ({@link #predicate()} is then set; where it is not pushed, the same
 * predicate runs as a row filter with Parquet's semantics).
 *
 * @param input the input
 * @param name the operator's name in plans and stats
 * @param transform the filter as it runs on blocks when not pushed
 * @param predicate the pushable predicate, or null for an opaque one
 */
public record Filter(LogicalPlan input, String name, BlockTransform transform,
    ParquetFilter predicate) implements LogicalPlan {
  /** Checks the arguments. */
  public Filter {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(transform, "transform");
  }

  /** An opaque filter named {@code name}: {@code transform} keeps rows of each block. */
  public static Filter opaque(LogicalPlan input, String name, BlockTransform transform) {
    return new Filter(input, name, transform, null);
  }

  /** A pushable filter keeping the rows {@code predicate} accepts. */
  public static Filter of(LogicalPlan input, ParquetFilter predicate) {
    return new Filter(input, "Where[" + Pushdown.shown(predicate) + "]", predicate::keep,
        predicate);
  }

  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public List<String> columns() {
    return input.columns();
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of(input);
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Filter(Inputs.one(inputs, "a filter"), name, transform, predicate);
  }

  @Override
  public String describe() {
    return name;
  }
}
