package dev.tributary;

import java.util.Objects;

/**
 * Options of {@link Dataset#mapBatches}: rows per call, how the function runs, whether an Arrow
 * batch is a zero-copy view, and the operator's name.
 *
 * @param batchSize rows per call, re-batched across block boundaries; 0 means whole blocks
 * @param compute how the function runs: {@link ComputeStrategy#tasks(int)} (stateless; the
 *     default, one task: inline) or {@link ComputeStrategy#pool(int, int)} (a factory's
 *     instances, one per worker)
 * @param zeroCopyBatch for Arrow batches ({@link Dataset#mapBatchesArrow}): pass the block's own
 *     vectors (read-only) instead of a copy; column batches are always copies
 * @param name the operator's name in {@code explain()}, stats and progress lines
 */
public record MapBatchesOptions(int batchSize, ComputeStrategy compute, boolean zeroCopyBatch,
    String name) {
  /** The operator name unless {@link #withName} gives another. */
  public static final String DEFAULT_NAME = "MapBatches";
  /** Whole blocks, inline, copies. */
  public static final MapBatchesOptions DEFAULTS =
      new MapBatchesOptions(0, ComputeStrategy.tasks(1), false, DEFAULT_NAME);

  /** Validates the options. */
  public MapBatchesOptions {
    if (batchSize < 0) {
      throw new IllegalArgumentException("batchSize must be >= 0, was " + batchSize);
    }
    Objects.requireNonNull(compute, "compute");
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
  }

  /** The defaults: whole blocks, inline, copies. */
  public static MapBatchesOptions defaults() {
    return DEFAULTS;
  }

  /** A copy with another batch size. */
  public MapBatchesOptions withBatchSize(int rows) {
    return new MapBatchesOptions(rows, compute, zeroCopyBatch, name);
  }

  /**
   * A copy running {@code tasks} at once: {@link ComputeStrategy#tasks(int)} for a function; for
   * a factory, a pool of exactly {@code tasks} workers.
   */
  public MapBatchesOptions withConcurrency(int tasks) {
    return withCompute(ComputeStrategy.tasks(tasks));
  }

  /** A copy with another compute strategy. */
  public MapBatchesOptions withCompute(ComputeStrategy strategy) {
    return new MapBatchesOptions(batchSize, strategy, zeroCopyBatch, name);
  }

  /** A copy with zero-copy Arrow batches on or off. */
  public MapBatchesOptions withZeroCopyBatch(boolean zeroCopy) {
    return new MapBatchesOptions(batchSize, compute, zeroCopy, name);
  }

  /** A copy naming the operator {@code name} (for example {@code "embed"}). */
  public MapBatchesOptions withName(String name) {
    return new MapBatchesOptions(batchSize, compute, zeroCopyBatch, name);
  }

  /** The most calls at once: the tasks' concurrency, or the pool's maximum. */
  public int concurrency() {
    return compute instanceof ComputeStrategy.Pool p ? p.max()
        : ((ComputeStrategy.Tasks) compute).concurrency();
  }
}
