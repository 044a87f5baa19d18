package dev.tributary;

/**
 * Options of {@link Dataset#mapBatches}: rows per call, task-pool size, and whether an Arrow
 * batch is a zero-copy view.
 *
 * @param batchSize rows per call, re-batched across block boundaries; 0 means whole blocks
 * @param concurrency how many calls may run at once on the {@code cpu} scheduler (1: inline)
 * @param zeroCopyBatch for Arrow batches ({@link Dataset#mapBatchesArrow}): pass the block's own vectors (read-only)
 *     instead of a copy; column batches are always copies
 */
public record MapBatchesOptions(int batchSize, int concurrency, boolean zeroCopyBatch) {
  /** Whole blocks, inline, copies. */
  public static final MapBatchesOptions DEFAULTS = new MapBatchesOptions(0, 1, false);

  /** Validates the options. */
  public MapBatchesOptions {
    if (batchSize < 0) {
      throw new IllegalArgumentException("batchSize must be >= 0, was " + batchSize);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
  }

  /** The defaults: whole blocks, inline, copies. */
  public static MapBatchesOptions defaults() {
    return DEFAULTS;
  }

  /** A copy with another batch size. */
  public MapBatchesOptions withBatchSize(int rows) {
    return new MapBatchesOptions(rows, concurrency, zeroCopyBatch);
  }

  /** A copy with another concurrency. */
  public MapBatchesOptions withConcurrency(int tasks) {
    return new MapBatchesOptions(batchSize, tasks, zeroCopyBatch);
  }

  /** A copy with zero-copy Arrow batches on or off. */
  public MapBatchesOptions withZeroCopyBatch(boolean zeroCopy) {
    return new MapBatchesOptions(batchSize, concurrency, zeroCopy);
  }

  boolean isDefaultStage() {
    return batchSize == 0 && concurrency == 1;
  }
}
