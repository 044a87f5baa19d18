package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user function's transform called again on the same input when it fails with a retried
 * exception type ({@link MapBatchesOptions#withRetries}). A transform consumes its input ({@link
 * BlockTransform}), so each attempt is given a handle of its own ({@link Block#retain()}) and the
 * input itself is released once, when the last attempt has returned or thrown.
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
    try {
      for (int attempt = 0; ; attempt++) {
        try {
          // run releases the attempt's handle if the transform throws.
          return BlockTransform.run(transform, input.retain(), out);
        } catch (RuntimeException e) {
          if (attempt == retries || !retried(e)) {
            throw e;
          }
          LOG.warn("{}: retrying a block of {} rows after {} (retry {} of {})", operator,
              input.rowCount(), e.toString(), attempt + 1, retries);
        }
      }
    } finally {
      input.release();
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
