package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.UserFunctionException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

class FluxBehaviourTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("flux-test")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext ctx = DataContext.defaults();

  @AfterEach
  void noLeaks() {
    // Cancellation is asynchronous: in-flight tasks may still be releasing what they hold.
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private static Map<String, Object> slow(Map<String, Object> batch) {
    long[] id = (long[]) batch.get("id");
    long acc = 0;
    for (int k = 0; k < 50; k++) {
      for (long v : id) {
        acc += v * k;
      }
    }
    return acc == 42 ? Map.of() : batch;
  }

  @Test
  void blocksFlowOnlyOnDemand() {
    AtomicInteger calls = new AtomicInteger();
    Dataset ds = Tributary.range(1000, 10).withRuntime(runtime).mapBatches(b -> {
      calls.incrementAndGet();
      return b;
    });
    StepVerifier.create(ds.toFlux(), 0)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(100))
        // Governors may compute a little ahead within their budgets, starting with one block.
        .then(() -> assertThat(calls.get()).isLessThanOrEqualTo(3))
        .thenRequest(2)
        .assertNext(b -> {
          assertThat(b.rowCount()).isEqualTo(100);
          b.close();
        })
        .assertNext(Block::close)
        .thenCancel()
        .verify(Duration.ofSeconds(10));
    assertThat(calls.get()).isLessThanOrEqualTo(6);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void cancellingHalfwayReleasesEverything(int concurrency) {
    Dataset ds = Tributary.range(2_000_000, 100).withRuntime(runtime)
        .mapBatches(FluxBehaviourTest::slow,
            MapBatchesOptions.defaults().withConcurrency(concurrency));
    StepVerifier.create(ds.toFlux().doOnNext(Block::close).take(50))
        .expectNextCount(50)
        .verifyComplete();
    assertThat(ds.stats()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void anErrorMidStreamReleasesEverything(int concurrency) {
    Dataset ds = Tributary.range(100_000, 50).withRuntime(runtime)
        .mapBatches(b -> {
          if (((long[]) b.get("id"))[0] >= 40_000) {
            throw new IllegalArgumentException("bad batch");
          }
          return b;
        }, MapBatchesOptions.defaults().withConcurrency(concurrency));
    StepVerifier.create(ds.toFlux().doOnNext(Block::close))
        .thenConsumeWhile(b -> true)
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(UserFunctionException.class)
            .hasMessageContaining("MapBatches")
            .hasRootCauseMessage("bad batch"))
        .verify(Duration.ofSeconds(30));
  }

  @Test
  void aRuntimeAndContextInTheSubscriberOverrideTheDatasetsOwn() {
    try (TributaryRuntime other = TributaryRuntime.builder().name("other")
        .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build()) {
      Dataset ds = Tributary.range(1000, 2).withRuntime(runtime);
      StepVerifier.create(ds.toFlux()
              .doOnNext(b -> {
                assertThat(b.owner().arena()).isSameAs(other.arena());
                b.close();
              })
              .contextWrite(Context.of(TributaryRuntime.CONTEXT_KEY, other,
                  DataContext.CONTEXT_KEY, DataContext.defaults().withMemoryLimit(Bytes.MiB))))
          .expectNextCount(2)
          .verifyComplete();
      assertThat(ds.stats().memoryLimitBytes()).isEqualTo(Bytes.MiB);
    }
  }

  @Test
  void iterBatchesRunsWithAContextFromTheSubscriber() {
    Dataset ds = Tributary.range(1000, 4).withRuntime(runtime);
    StepVerifier.create(ds.iterBatches(300)
            .map(b -> ((long[]) b.get("id")).length)
            .contextWrite(Context.of(DataContext.CONTEXT_KEY,
                DataContext.defaults().withMemoryLimit(8 * Bytes.MiB))))
        .expectNext(300, 300, 300, 100)
        .verifyComplete();
  }

  @Test
  void blockHoundRejectsBlockingCallsOnCpuThreads() {
    StepVerifier.create(Mono.fromCallable(() -> {
          Thread.sleep(1);
          return 1;
        }).subscribeOn(runtime.cpuScheduler()))
        .expectError(BlockingOperationError.class)
        .verify(Duration.ofSeconds(10));
  }
}
