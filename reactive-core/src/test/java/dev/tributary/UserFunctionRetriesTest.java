package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Bytes;
import dev.tributary.operators.UserFunctionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MapBatchesOptions#withRetries}: a function failing with a listed type is called again on
 * the same batch; other failures, and the last one, are reported as before; memory is all back.
 */
class UserFunctionRetriesTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("retries")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  /** Fails the first {@code failures} calls per batch (keyed by its first id) with {@code e}. */
  private Dataset flaky(int failures, RuntimeException e, MapBatchesOptions options,
      AtomicInteger calls) {
    Map<Long, Integer> seen = new ConcurrentHashMap<>();
    return Tributary.range(10_000, 5).withRuntime(runtime).mapBatches(batch -> {
      calls.incrementAndGet();
      long first = ((long[]) batch.get("id"))[0];
      if (seen.merge(first, 1, Integer::sum) <= failures) {
        throw e;
      }
      return batch;
    }, options);
  }

  @Test
  void aListedFailureIsRetriedOnTheSameBatchAndEveryRowArrivesOnce() {
    AtomicInteger calls = new AtomicInteger();
    Dataset ds = flaky(2, new UncheckedIOException(new IOException("reset")),
        MapBatchesOptions.defaults().withRetries(2, IOException.class), calls);
    assertThat(ds.takeAll()).hasSize(10_000).extracting(r -> r.get("id"))
        .doesNotHaveDuplicates();
    assertThat(calls).hasValue(15);
  }

  @Test
  void theLastFailureStandsAfterTheRetries() {
    AtomicInteger calls = new AtomicInteger();
    Dataset ds = flaky(3, new IllegalStateException("flaky"),
        MapBatchesOptions.defaults().withRetries(2, IllegalStateException.class), calls);
    assertThatThrownBy(ds::count).isInstanceOf(UserFunctionException.class)
        .hasRootCauseMessage("flaky");
    assertThat(calls).hasValue(3);
  }

  /** Fails every call on the blocks starting at {@code failing} ids (5 blocks of 2,000 rows). */
  private Dataset failingOn(java.util.Set<Long> failing, int allowed, int concurrency) {
    return Tributary.range(10_000, 5).withRuntime(runtime)
        .withContext(DataContext.defaults().withMaxErroredBlocks(allowed))
        .mapBatches(batch -> {
          long first = ((long[]) batch.get("id"))[0];
          if (failing.contains(first)) {
            throw new IllegalStateException("bad block at " + first);
          }
          return batch;
        }, MapBatchesOptions.defaults().withConcurrency(concurrency));
  }

  @Test
  void blocksAFunctionFailsOnAreDroppedWithinTheErroredBlocksAllowance() {
    java.util.List<Map<String, Object>> rows =
        failingOn(java.util.Set.of(0L, 6_000L), 2, 2).takeAll();
    assertThat(rows).hasSize(6_000).extracting(r -> (Long) r.get("id"))
        .doesNotHaveDuplicates()
        .noneMatch(id -> id < 2_000 || id >= 6_000 && id < 8_000);
  }

  @Test
  void aFailureBeyondTheErroredBlocksAllowanceFailsTheStream() {
    assertThatThrownBy(() -> failingOn(java.util.Set.of(0L, 6_000L), 1, 1).takeAll())
        .isInstanceOf(UserFunctionException.class)
        .hasRootCauseMessage("bad block at 6000");
  }

  @Test
  void anUnlistedFailureIsNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    Dataset ds = flaky(1, new IllegalArgumentException("bad row"),
        MapBatchesOptions.defaults().withConcurrency(2).withRetries(3, IOException.class), calls);
    assertThatThrownBy(ds::count).isInstanceOf(UserFunctionException.class);
    assertThat(calls.get()).isLessThanOrEqualTo(5);
  }

  @Test
  void aRetriedZeroCopyArrowFunctionReturningItsBatchGetsAnOpenBatchEachTime() {
    // Each attempt consumes what it is given: the retry must hand it a batch the failed attempt
    // did not close, and the batch returned as is must survive the input's release.
    Map<Long, Integer> seen = new ConcurrentHashMap<>();
    AtomicInteger calls = new AtomicInteger();
    Dataset ds = Tributary.range(1_000, 4).withRuntime(runtime).mapBatchesArrow((batch, a) -> {
      calls.incrementAndGet();
      long first = ((org.apache.arrow.vector.BigIntVector) batch.getVector("id")).get(0);
      if (seen.merge(first, 1, Integer::sum) == 1) {
        throw new UncheckedIOException(new IOException("reset"));
      }
      return batch;
    }, MapBatchesOptions.defaults().withZeroCopyBatch(true).withRetries(1, IOException.class));
    assertThat(ds.takeAll()).hasSize(1_000).extracting(r -> r.get("id"))
        .doesNotHaveDuplicates();
    assertThat(calls).hasValue(8);
  }

  @Test
  void retriesNeedTheTypesToRetry() {
    assertThatThrownBy(() -> MapBatchesOptions.defaults().withRetries(2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exception types");
  }
}
