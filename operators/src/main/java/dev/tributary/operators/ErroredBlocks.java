package dev.tributary.operators;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many blocks the user functions of one execution may fail on before the execution fails:
 * shared by its one-to-one stages ({@link MapBlocks}, {@link WorkerPool}). A block a function
 * failed on within the allowance is dropped (no output for it), logged with its operator and
 * block and kept in {@link #failures()}; the next failure beyond it fails the stream as without
 * an allowance. Memory-limit and JVM errors are never absorbed.
 */
public final class ErroredBlocks {
  /** No allowance: the first failure fails the stream. */
  public static final ErroredBlocks NONE = new ErroredBlocks(0);
  /** How many failures {@link #failures()} keeps (the count goes on). */
  static final int KEPT = 100;

  private static final Logger LOG = LoggerFactory.getLogger(ErroredBlocks.class);

  private final int allowed;
  private final AtomicInteger absorbed = new AtomicInteger();
  private final List<UserFunctionException> kept = new ArrayList<>();

  private ErroredBlocks(int allowed) {
    this.allowed = allowed;
  }

  /**
   * An allowance of {@code n} failed blocks.
   *
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public static ErroredBlocks allow(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("errored blocks allowed must be >= 0, was " + n);
    }
    return n == 0 ? NONE : new ErroredBlocks(n);
  }

  /** Whether {@code failure} is within the allowance (then counted, logged and kept). */
  boolean absorb(UserFunctionException failure) {
    if (allowed == 0) {
      return false;
    }
    int n = absorbed.incrementAndGet();
    if (n > allowed) {
      absorbed.decrementAndGet();
      return false;
    }
    LOG.warn("skipped errored block {} of {} allowed: {}", n, allowed, failure.getMessage());
    synchronized (kept) {
      if (kept.size() < KEPT) {
        kept.add(failure);
      }
    }
    return true;
  }

  /** How many failed blocks were dropped so far. */
  public int count() {
    return absorbed.get();
  }

  /** The failures dropped so far (the first {@value #KEPT}), each naming operator and block. */
  public List<UserFunctionException> failures() {
    synchronized (kept) {
      return List.copyOf(kept);
    }
  }
}
