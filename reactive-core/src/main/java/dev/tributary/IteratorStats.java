package dev.tributary;

import java.util.Locale;

/**
 * Where a training loop's time went, per iterator (Ray's iterator time breakdown): waiting for
 * data inside {@code hasNext()}/{@code next()} versus in the consumer's own code between batches.
 * Much waiting means the pipeline is the bottleneck (more prefetch, more parallel reads); little
 * means the model is.
 *
 * @param batches batches handed out
 * @param rows rows handed out
 * @param waitNanos time the consumer waited for a batch
 * @param userNanos time the consumer spent between receiving a batch and asking for the next
 */
public record IteratorStats(long batches, long rows, long waitNanos, long userNanos) {
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%d batches / %d rows; waiting for data %.1f ms, in user code"
        + " %.1f ms", batches, rows, waitNanos / 1e6, userNanos / 1e6);
  }
}
