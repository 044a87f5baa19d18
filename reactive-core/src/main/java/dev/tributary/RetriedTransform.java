package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user function's transform called again on the same input when it fails with a retried
 * exception type ({@link MapBatchesOptions#withRetries}). Safe because a transform never owns its
 * input ({@link BlockTransform}): a failed call leaves it as it was.
 */
final class RetriedTransform implements BlockTransform {
  private static final Logger LOG = LoggerFactory.getLogger(RetriedTransform.class);

  private final BlockTransform transform;
  private final String operator;
  private final int retries;
  private final List<Class<? extends Exception>> retried;

  private RetriedTransform(BlockTransform transform, String operator, int retries,
      List<Class<? extends Exception>> retried) {
    this.transform = transform;
    this.operator = operator;
    this.retries = retries;
    this.retried = retried;
  }

  /** {@code transform} retried as {@code options} say (itself when they retry nothing). */
  static BlockTransform of(BlockTransform transform, String operator, MapBatchesOptions options) {
    return options.retries() == 0 ? transform
        : new RetriedTransform(transform, operator, options.retries(), options.retriedErrors());
  }

  @Override
  public Block apply(Block input, Account out) {
    for (int attempt = 0; ; attempt++) {
      try {
        return transform.apply(input, out);
      } catch (RuntimeException e) {
        if (attempt == retries || !retried(e)) {
          throw e;
        }
        LOG.warn("{}: retrying a block of {} rows after {} (retry {} of {})", operator,
            input.rowCount(), e.toString(), attempt + 1, retries);
      }
    }
  }

  /**
   * Whether {@code e} is retried: it, or the exception it wraps (a function can throw a checked
   * {@code IOException} only wrapped, e.g. in {@code UncheckedIOException}), is of a listed type.
   */
  private boolean retried(RuntimeException e) {
    Throwable cause = e.getCause();
    return retried.stream().anyMatch(t -> t.isInstance(e) || t.isInstance(cause));
  }
}
