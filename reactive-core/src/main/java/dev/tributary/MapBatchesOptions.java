package dev.tributary;

import java.util.List;
import java.util.Objects;

/**
 * Options of {@link Dataset#mapBatches}: rows per call, how the function runs, whether an Arrow
 * batch is a zero-copy view, the operator's name, and which failures of the function are retried.
 *
 * @param batchSize rows per call, re-batched across block boundaries; 0 means whole blocks
 * @param compute how the function runs: {@link ComputeStrategy#tasks(int)} (stateless; the
 *     default, one task: inline) or {@link ComputeStrategy#pool(int, int)} (a factory's
 *     instances, one per worker)
 * @param zeroCopyBatch for Arrow batches ({@link Dataset#mapBatchesArrow}): pass the block's own
 *     vectors (read-only) instead of a copy; column batches are always copies
 * @param name the operator's name in {@code explain()}, stats and progress lines
 * @param retries how many times a call that failed with one of {@code retriedErrors} is repeated
 *     on the same batch before the failure stands (0: none)
 * @param retriedErrors the exception types retried (instances of a subtype count)
 */
public record MapBatchesOptions(int batchSize, ComputeStrategy compute, boolean zeroCopyBatch,
    String name, int retries, List<Class<? extends Exception>> retriedErrors) {
  /** The operator name unless {@link #withName} gives another. */
  public static final String DEFAULT_NAME = "MapBatches";
  /** Whole blocks, inline, copies, no retries. */
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
  public MapBatchesOptions(int batchSize, ComputeStrategy compute, boolean zeroCopyBatch,
      String name) {
    this(batchSize, compute, zeroCopyBatch, name, 0, List.of());
  }

  /** The defaults: whole blocks, inline, copies. */
  public static MapBatchesOptions defaults() {
    return DEFAULTS;
  }

  /** A copy with another batch size. */
  public MapBatchesOptions withBatchSize(int rows) {
    return new MapBatchesOptions(rows, compute, zeroCopyBatch, name, retries, retriedErrors);
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
    return new MapBatchesOptions(batchSize, strategy, zeroCopyBatch, name, retries,
        retriedErrors);
  }

  /** A copy with zero-copy Arrow batches on or off. */
  public MapBatchesOptions withZeroCopyBatch(boolean zeroCopy) {
    return new MapBatchesOptions(batchSize, compute, zeroCopy, name, retries, retriedErrors);
  }

  /** A copy naming the operator {@code name} (for example {@code "embed"}). */
  public MapBatchesOptions withName(String name) {
    return new MapBatchesOptions(batchSize, compute, zeroCopyBatch, name, retries,
        retriedErrors);
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
    return new MapBatchesOptions(batchSize, compute, zeroCopyBatch, name, n,
        List.of(Objects.requireNonNull(types, "types")));
  }

  /** The most calls at once: the tasks' concurrency, or the pool's maximum. */
  public int concurrency() {
    return compute instanceof ComputeStrategy.Pool p ? p.max()
        : ((ComputeStrategy.Tasks) compute).concurrency();
  }
}
