package dev.tributary.plan;

import dev.tributary.gpu.GpuCompute;
import dev.tributary.operators.BlockTransform;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An opaque batch function ({@code mapBatches}, {@code mapBatchesArrow}): any number of rows and
 * columns out, so neither projections nor limits are pushed through it. Its options decide its
 * stage: a batch size re-cuts its input, a concurrency above one runs it on a task pool, a GPU
 * compute strategy runs it on its devices' own threads (a stage of its own, never fused).
 *
 * @param input the input
 * @param name the operator's name in plans and stats
 * @param transform the function as it runs on blocks
 * @param batchSize rows per call, re-batched across blocks; 0 for whole blocks
 * @param concurrency calls at once (1: inline)
 * @param gpu the devices it runs on, or null for the CPU
 * @param blocking whether the function may block on I/O: its stage then runs on the {@code io}
 *     scheduler, never inline on a {@code cpu} thread (a download)
 */
public record MapBatches(LogicalPlan input, String name, BlockTransform transform, int batchSize,
    int concurrency, GpuCompute gpu, boolean blocking) implements LogicalPlan {
  /** Checks the arguments. */
  public MapBatches {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(transform, "transform");
    if (batchSize < 0 || concurrency < 1) {
      throw new IllegalArgumentException("batchSize must be >= 0 and concurrency >= 1, were "
          + batchSize + " and " + concurrency);
    }
  }

  /** A batch function on the CPU that does not block. */
  public MapBatches(LogicalPlan input, String name, BlockTransform transform, int batchSize,
      int concurrency) {
    this(input, name, transform, batchSize, concurrency, null, false);
  }

  /** A batch function on the devices of {@code gpu} (null: the CPU) that does not block. */
  public MapBatches(LogicalPlan input, String name, BlockTransform transform, int batchSize,
      int concurrency, GpuCompute gpu) {
    this(input, name, transform, batchSize, concurrency, gpu, false);
  }

  /** Whether it runs whole blocks inline on the CPU, so it fuses with its neighbours. */
  public boolean isDefaultStage() {
    return batchSize == 0 && concurrency == 1 && gpu == null && !blocking;
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
    return new MapBatches(Inputs.one(inputs, "a batch function"), name, transform, batchSize,
        concurrency, gpu, blocking);
  }

  /** The name, with the options when they are not the defaults. */
  @Override
  public String describe() {
    if (gpu != null) {
      return name + "[" + (batchSize > 0 ? "batchSize=" + batchSize + " " : "") + gpu + "]";
    }
    return name + (isDefaultStage() ? "" : "[" + (batchSize > 0 ? "batchSize=" + batchSize + " "
        : "") + "concurrency=" + concurrency + (blocking ? " io" : "") + "]");
  }
}
