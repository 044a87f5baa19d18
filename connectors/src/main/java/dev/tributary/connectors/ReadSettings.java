package dev.tributary.connectors;

import java.util.Objects;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * How an execution asks a source to read: the block size to cut to, whether output keeps file
 * order, which I/O errors to retry, how many failed blocks to skip, and the I/O scheduler reads
 * run on. The executor derives it from its context; sources never read global settings.
 *
 * @param maxBlockBytes blocks are cut to about this many bytes
 * @param preserveOrder whether blocks come out in file and row-group order
 * @param retry which I/O errors are retried, and the backoff between attempts
 * @param maxErroredBlocks how many unreadable blocks (row groups or files) are skipped, each
 *     reported, before the read fails
 * @param scheduler where reads (which block on I/O) and backoff waits run
 * @param vectorizedParquet whether Parquet's flat columns are decoded page by page straight into
 *     Arrow vectors (default), or through parquet-mr's value-at-a-time column reader
 */
public record ReadSettings(long maxBlockBytes, boolean preserveOrder, RetryPolicy retry,
    int maxErroredBlocks, Scheduler scheduler, boolean vectorizedParquet) {

  /** Settings with the vectorized Parquet decoder on. */
  public ReadSettings(long maxBlockBytes, boolean preserveOrder, RetryPolicy retry,
      int maxErroredBlocks, Scheduler scheduler) {
    this(maxBlockBytes, preserveOrder, retry, maxErroredBlocks, scheduler, true);
  }

  /** Validates the arguments. */
  public ReadSettings {
    if (maxBlockBytes <= 0) {
      throw new IllegalArgumentException("maxBlockBytes must be positive, was " + maxBlockBytes);
    }
    if (maxErroredBlocks < 0) {
      throw new IllegalArgumentException(
          "maxErroredBlocks must be >= 0, was " + maxErroredBlocks);
    }
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(scheduler, "scheduler");
  }

  /**
   * Blocks of about {@code maxBlockBytes}, in order, no retries, no errored blocks allowed, on
   * Reactor's bounded-elastic scheduler.
   */
  public static ReadSettings defaults(long maxBlockBytes) {
    return new ReadSettings(maxBlockBytes, true, RetryPolicy.none(), 0,
        Schedulers.boundedElastic());
  }

  /** A copy keeping order or not. */
  public ReadSettings withPreserveOrder(boolean preserve) {
    return new ReadSettings(maxBlockBytes, preserve, retry, maxErroredBlocks, scheduler,
        vectorizedParquet);
  }

  /** A copy with another retry policy. */
  public ReadSettings withRetry(RetryPolicy policy) {
    return new ReadSettings(maxBlockBytes, preserveOrder, policy, maxErroredBlocks, scheduler,
        vectorizedParquet);
  }

  /** A copy that skips up to {@code n} unreadable blocks. */
  public ReadSettings withMaxErroredBlocks(int n) {
    return new ReadSettings(maxBlockBytes, preserveOrder, retry, n, scheduler,
        vectorizedParquet);
  }

  /**
   * A copy decoding Parquet's flat columns page by page (on, the default) or through parquet-mr's
   * column reader (off).
   */
  public ReadSettings withVectorizedParquet(boolean on) {
    return new ReadSettings(maxBlockBytes, preserveOrder, retry, maxErroredBlocks, scheduler,
        on);
  }
}
