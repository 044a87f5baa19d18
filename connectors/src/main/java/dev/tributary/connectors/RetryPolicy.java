package dev.tributary.connectors;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * Which I/O errors a source retries and how: up to {@code maxAttempts} attempts in all, waiting an
 * exponentially growing, jittered delay from {@code firstBackoff} up to {@code maxBackoff} between
 * them (on a scheduler, never parking a thread). Only opening a file and reading a row group's
 * bytes are retried, never a step that already emitted rows.
 *
 * @param retried the error types retried (an error is retried when it is an instance of one)
 * @param maxAttempts attempts in all, at least 1
 * @param firstBackoff the wait before the second attempt
 * @param maxBackoff the longest wait between attempts
 */
public record RetryPolicy(List<Class<? extends Throwable>> retried, int maxAttempts,
    Duration firstBackoff, Duration maxBackoff) {
  /** Default attempts in all when errors are retried. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Default wait before the second attempt. */
  public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(100);
  /** Default longest wait between attempts. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(1);

  /** Validates and copies the arguments. */
  public RetryPolicy {
    retried = List.copyOf(Objects.requireNonNull(retried, "retried"));
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    Objects.requireNonNull(firstBackoff, "firstBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException("backoff must satisfy 0 <= firstBackoff <= maxBackoff,"
          + " was " + firstBackoff + " and " + maxBackoff);
    }
  }

  /** Retries nothing (the default): every error fails at once. */
  public static RetryPolicy none() {
    return new RetryPolicy(List.of(), DEFAULT_MAX_ATTEMPTS, DEFAULT_FIRST_BACKOFF,
        DEFAULT_MAX_BACKOFF);
  }

  /** A copy that retries errors of the given types. */
  public RetryPolicy retrying(List<Class<? extends Throwable>> types) {
    return new RetryPolicy(types, maxAttempts, firstBackoff, maxBackoff);
  }

  /** A copy with other attempt and backoff bounds. */
  public RetryPolicy backoff(int attempts, Duration first, Duration max) {
    return new RetryPolicy(retried, attempts, first, max);
  }

  /** Whether {@code error} is of a retried type. */
  public boolean retries(Throwable error) {
    return retried.stream().anyMatch(type -> type.isInstance(error));
  }

  /** The Reactor retry spec: delays run on {@code scheduler}; the last error is rethrown. */
  Retry spec(Scheduler scheduler) {
    return Retry.backoff(maxAttempts - 1, firstBackoff)
        .maxBackoff(maxBackoff)
        .filter(this::retries)
        .scheduler(scheduler)
        .onRetryExhaustedThrow((spec, signal) -> signal.failure());
  }
}
