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
  private final Arena arena = Arena.create("flux-test", 256 * Bytes.MiB);
  private final DataContext ctx = DataContext.defaults().withArena(arena);

  @AfterEach
  void noLeaks() {
    // Cancellation is asynchronous: in-flight tasks may still be releasing what they hold.
    arena.awaitEmpty(Duration.ofSeconds(5));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
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
    Dataset ds = Tributary.range(1000, 10).withContext(ctx).mapBatches(b -> {
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
    Dataset ds = Tributary.range(2_000_000, 100).withContext(ctx)
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
    Dataset ds = Tributary.range(100_000, 50).withContext(ctx)
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
  void aContextInTheSubscriberOverridesTheDatasetsOwn() {
    Arena other = Arena.create("other", 64 * Bytes.MiB);
    try {
      Dataset ds = Tributary.range(1000, 2).withContext(ctx);
      StepVerifier.create(ds.toFlux()
              .doOnNext(b -> {
                assertThat(b.owner().arena()).isSameAs(other);
                b.close();
              })
              .contextWrite(Context.of(DataContext.CONTEXT_KEY, ctx.withArena(other))))
          .expectNextCount(2)
          .verifyComplete();
      assertThat(other.allocatedBytes()).isZero();
    } finally {
      other.close();
    }
  }

  @Test
  void blockHoundRejectsBlockingCallsOnCpuThreads() {
    StepVerifier.create(Mono.fromCallable(() -> {
          Thread.sleep(1);
          return 1;
        }).subscribeOn(ctx.cpuScheduler()))
        .expectError(BlockingOperationError.class)
        .verify(Duration.ofSeconds(10));
  }
}
