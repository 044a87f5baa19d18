package dev.tributary.plan;

import dev.tributary.columnar.Schemas;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterPredicate;

/**
 * Reads a source, with what the optimizer pushed into it.
 *
 * @param source the source
 * @param pushdown what the source applies itself: columns, filter, limit
 */
public record Read(Source source, Pushdown pushdown) implements LogicalPlan {
  /** Checks the arguments. */
  public Read {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(pushdown, "pushdown");
  }

  /** A read of every column and row of {@code source}. */
  public Read(Source source) {
    this(source, Pushdown.NONE);
  }

  /** The same read with {@code pushdown} instead. */
  public Read withPushdown(Pushdown pushdown) {
    return new Read(source, pushdown);
  }

  /** Whether the source can take over {@code kind}. */
  public boolean accepts(Pushdown.Kind kind) {
    return source.accepts().contains(kind);
  }

  /** Whether the source can take over the filter {@code predicate}. */
  public boolean accepts(FilterPredicate predicate) {
    return source.accepts(predicate);
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.tributary.memory.ColumnException if two of the source's columns share a name
   */
  @Override
  public Schema schema() {
    Schema schema = source.schema(pushdown);
    if (schema != null) {
      Schemas.requireUniqueNames(schema.getFields(), source.name());
    }
    return schema;
  }

  @Override
  public List<String> columns() {
    Schema schema = schema();
    return schema == null ? null : schema.getFields().stream().map(Field::getName).toList();
  }

  /** The rows read, if known without reading data, else -1. */
  public long rows() {
    return source.rows(pushdown);
  }

  @Override
  public List<LogicalPlan> inputs() {
    return List.of();
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    if (!inputs.isEmpty()) {
      throw new IllegalArgumentException("a read takes no input, was given " + inputs.size());
    }
    return this;
  }

  @Override
  public String describe() {
    return source.name() + (pushdown.isNone() ? "" : "  pushed: " + source.describe(pushdown));
  }
}
