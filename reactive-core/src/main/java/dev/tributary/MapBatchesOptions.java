package dev.tributary;

import java.util.List;
import java.util.Objects;

/**
 * Options of {@link Dataset#mapBatches}: rows per call, task-pool size, whether an Arrow batch is
 * a zero-copy view, and which failures of the function are retried.
 *
 * @param batchSize rows per call, re-batched across block boundaries; 0 means whole blocks
 * @param concurrency how many calls may run at once on the {@code cpu} scheduler (1: inline)
 * @param zeroCopyBatch for Arrow batches ({@link Dataset#mapBatchesArrow}): pass the block's own vectors (read-only)
 *     instead of a copy; column batches are always copies
 * @param retries how many times a call that failed with one of {@code retriedErrors} is repeated
 *     on the same batch before the failure stands (0: none)
 * @param retriedErrors the exception types retried (instances of a subtype count)
 */
public record MapBatchesOptions(int batchSize, int concurrency, boolean zeroCopyBatch,
    int retries, List<Class<? extends Exception>> retriedErrors) {
  /** Whole blocks, inline, copies, no retries. */
  public static final MapBatchesOptions DEFAULTS = new MapBatchesOptions(0, 1, false);

  /** Validates the options. */
  public MapBatchesOptions {
    if (batchSize < 0) {
      throw new IllegalArgumentException("batchSize must be >= 0, was " + batchSize);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0, was " + retries);
    }
    retriedErrors = List.copyOf(Objects.requireNonNull(retriedErrors, "retriedErrors"));
    if (retries > 0 && retriedErrors.isEmpty()) {
      throw new IllegalArgumentException("retries > 0 needs the exception types to retry:"
          + " which failures pass depends on the function (e.g. IOException for a download)");
    }
  }

  /** Options without retries. */
  public MapBatchesOptions(int batchSize, int concurrency, boolean zeroCopyBatch) {
    this(batchSize, concurrency, zeroCopyBatch, 0, List.of());
  }

  /** The defaults: whole blocks, inline, copies. */
  public static MapBatchesOptions defaults() {
    return DEFAULTS;
  }

  /** A copy with another batch size. */
  public MapBatchesOptions withBatchSize(int rows) {
    return new MapBatchesOptions(rows, concurrency, zeroCopyBatch, retries, retriedErrors);
  }

  /** A copy with another concurrency. */
  public MapBatchesOptions withConcurrency(int tasks) {
    return new MapBatchesOptions(batchSize, tasks, zeroCopyBatch, retries, retriedErrors);
  }

  /** A copy with zero-copy Arrow batches on or off. */
  public MapBatchesOptions withZeroCopyBatch(boolean zeroCopy) {
    return new MapBatchesOptions(batchSize, concurrency, zeroCopy, retries, retriedErrors);
  }

  /**
   * A copy whose function is called again on the same batch, up to {@code n} more times, when it
   * throws one of {@code types} (Ray's {@code max_retries} with {@code retry_exceptions}); each
   * retry is logged, and the last failure is reported as usual ({@link
   * dev.tributary.operators.UserFunctionException}). Retries are immediate, on the same thread:
   * for failures that need a wait, retry inside the function. Errors of the JVM are never retried.
   */
  @SafeVarargs
  public final MapBatchesOptions withRetries(int n, Class<? extends Exception>... types) {
    return new MapBatchesOptions(batchSize, concurrency, zeroCopyBatch, n,
        List.of(Objects.requireNonNull(types, "types")));
  }

  boolean isDefaultStage() {
    return batchSize == 0 && concurrency == 1;
  }
}
