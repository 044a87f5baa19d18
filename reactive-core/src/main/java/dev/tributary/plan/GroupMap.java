package dev.tributary.plan;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A function over each whole group of key values ({@code groupBy(keys).mapGroups(fn)}): opaque,
 * its output columns unknown until it runs. A pipeline breaker.
 *
 * @param input the input
 * @param keys the key columns
 * @param fn the function: a group's rows as one Arrow batch, and the allocator for its result
 */
public record GroupMap(LogicalPlan input, List<String> keys,
    BiFunction<VectorSchemaRoot, BufferAllocator, VectorSchemaRoot> fn) implements LogicalPlan {
  /** Copies the keys. */
  public GroupMap {
    Objects.requireNonNull(input, "input");
    keys = List.copyOf(keys);
    Objects.requireNonNull(fn, "fn");
  }

  @Override
  public Schema schema() {
    return null;
  }

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
    return new GroupMap(Inputs.one(inputs, "a group map"), keys, fn);
  }

  @Override
  public String describe() {
    return "MapGroups[by " + String.join(", ", keys) + "]";
  }
}
