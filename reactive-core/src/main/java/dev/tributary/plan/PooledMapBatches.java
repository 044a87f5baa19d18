package dev.tributary.plan;

import dev.tributary.operators.BlockTransform;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An opaque stateful batch function ({@code mapBatches} given a factory): each worker of a pool
 * runs its own instance from {@code factory}. Always a stage of its own (a worker pool), never
 * fused: its instances are the stage's state.
 *
 * @param input the input
 * @param name the operator's name in plans and stats
 * @param factory makes one instance per worker (an {@link AutoCloseable} one is closed)
 * @param batchSize rows per call, re-batched across blocks; 0 for whole blocks
 * @param minWorkers workers the pool keeps once started
 * @param maxWorkers workers the pool grows to
 */
public record PooledMapBatches(LogicalPlan input, String name,
    Supplier<? extends BlockTransform> factory, int batchSize, int minWorkers, int maxWorkers)
    implements LogicalPlan {
  /** Checks the arguments. */
  public PooledMapBatches {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(factory, "factory");
    if (batchSize < 0 || minWorkers < 1 || maxWorkers < minWorkers) {
      throw new IllegalArgumentException("batchSize must be >= 0 and 1 <= minWorkers <= "
          + "maxWorkers, were " + batchSize + ", " + minWorkers + " and " + maxWorkers);
    }
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
    return new PooledMapBatches(Inputs.one(inputs, "a batch function"), name, factory, batchSize,
        minWorkers, maxWorkers);
  }

  /** The name and the pool's bounds (and batch size). */
  @Override
  public String describe() {
    return name + "[pool " + minWorkers + ".." + maxWorkers
        + (batchSize > 0 ? " batchSize=" + batchSize : "") + "]";
  }
}
