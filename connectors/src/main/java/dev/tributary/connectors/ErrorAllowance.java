package dev.tributary.connectors;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * One read's allowance of errored blocks ({@link ReadSettings#maxErroredBlocks()}): a failed
 * block (a row group, a file, the rest of a file) is skipped, logged and recorded while the
 * allowance lasts; the next failure fails the read.
 */
final class ErrorAllowance {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorAllowance.class);

  private final int max;
  private final ReadStats stats;
  private final AtomicInteger errors = new AtomicInteger();

  ErrorAllowance(ReadSettings settings, ReadStats stats) {
    this.max = settings.maxErroredBlocks();
    this.stats = stats;
  }

  /** {@code flux}, whose {@link CorruptInputException} ends it quietly while allowed. */
  <T> Flux<T> guard(Flux<T> flux) {
    return flux.onErrorResume(CorruptInputException.class, e -> {
      int n = errors.incrementAndGet();
      if (n > max) {
        return Flux.error(e);
      }
      stats.recordErrored(e);
      LOG.warn("Skipping unreadable block {} of at most {} (maxErroredBlocks): {}", n, max,
          e.getMessage());
      return Flux.empty();
    });
  }
}
