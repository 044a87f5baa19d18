package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.ExecutionStats;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.MemoryLimitExceededException;
import dev.tributary.operators.CreditPolicy;
import dev.tributary.operators.OperatorSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The proofs that a governed pipeline never holds more than its memory limit. */
@Timeout(120)
class GovernanceTest {
  private static final long LIMIT = 16 * Bytes.MiB;
  /** 20x the limit of int64 ids: 40M rows of 8 bytes = 320 MiB. */
  private static final long ROWS = 20 * LIMIT / Long.BYTES;
  private static final int BLOCKS = 1280; // 256 KiB each, 1 MiB after inflation

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("governed")
      .memoryLimit(LIMIT).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext context = DataContext.defaults();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void twentyTimesTheLimitThroughA4xInflatingMapIntoASlowSinkStaysUnderTheLimit() {
    Dataset ds = Workloads.inflating(runtime, context, ROWS, BLOCKS, 4);
    Workloads.Received got = Workloads.sink(ds.toFlux(), Duration.ofMillis(1)).block();
    assertThat(got).isEqualTo(Workloads.Received.expected(ROWS));
    assertThat(arena.peakBytes()).isLessThanOrEqualTo(LIMIT);
    ExecutionStats stats = ds.stats();
    OperatorSnapshot map = stats.operator("MapBatches");
    assertThat(map.bytesOut()).isGreaterThanOrEqualTo(4 * map.bytesIn() - map.bytesIn() / 10);
    // The consumer boundary reads one block past what the sink asks for; the stage before it
    // fills its budget with outputs waiting, and holds back its own demand.
    assertThat(stats.operators().stream().mapToLong(OperatorSnapshot::throttledNanos).sum())
        .as("the slow sink throttled demand").isPositive();
    assertThat(map.budgetBytes()).isPositive().isLessThan(LIMIT);
  }

  @Test
  void cancellingHalfwayLeavesNothingAllocatedAndNoWorkRunning() throws Exception {
    AtomicLong calls = new AtomicLong();
    Dataset ds = Tributary.range(ROWS, BLOCKS).withRuntime(runtime)
        .mapBatchesArrow((in, allocator) -> {
          calls.incrementAndGet();
          return Workloads.inflate(in, allocator);
        }, MapBatchesOptions.defaults().withConcurrency(4).withZeroCopyBatch(true));
    StepVerifier.create(ds.toFlux().doOnNext(Block::close).take(BLOCKS / 2))
        .expectNextCount(BLOCKS / 2)
        .verifyComplete();
    // Tasks running at the cancel finish and release their blocks; once the arena is empty,
    // nothing is left that could start another call.
    assertThat(arena.awaitEmpty(Duration.ofSeconds(10))).as(arena.report()).isTrue();
    long settled = calls.get();
    Thread.sleep(300);
    assertThat(calls.get()).as("no user function runs after the cancel").isEqualTo(settled);
    assertThat(settled).as("upstream ran at most a window ahead of the consumer")
        .isLessThanOrEqualTo(BLOCKS / 2 + 3 * CreditPolicy.MAX_WINDOW);
  }

  @Test
  void fourPipelinesShareOneArenaFairlyAndAllComplete() {
    // Each pipeline gets a quarter of the arena (3.6 MiB budgeted): 64 KiB blocks, 256 KiB after
    // inflation, so every stage can hold a few.
    long rows = ROWS / 4;
    List<Dataset> pipelines = IntStream.range(0, 4)
        .mapToObj(i -> Workloads.inflating(runtime, context, rows, BLOCKS, 4)).toList();
    List<Workloads.Received> results = Flux.merge(pipelines.stream()
            .map(ds -> Workloads.sink(ds.toFlux(), Duration.ofMillis(1)))
            .toList())
        .collectList().block();
    assertThat(results).hasSize(4).allMatch(r -> r.equals(Workloads.Received.expected(rows)));
    assertThat(arena.peakBytes()).isLessThanOrEqualTo(LIMIT);
    for (Dataset ds : pipelines) {
      assertThat(ds.stats().operator("Output").rowsOut()).isEqualTo(rows);
    }
  }

  @Test
  void aBlockLargerThanItsBudgetStillFlowsAndIsReported() {
    try (TributaryRuntime bigRuntime = TributaryRuntime.builder().name("oversize")
        .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build()) {
      Arena big = bigRuntime.arena();
      // Single-row blocks of 20 MiB cannot be split: above the output boundary's budget
      // (about 14 MiB of 64), each must still flow, one at a time.
      Dataset[] parts = new Dataset[3];
      for (int i = 0; i < parts.length; i++) {
        byte[] payload = new byte[20 << 20];
        payload[i] = (byte) (i + 1);
        parts[i] = Tributary.fromColumns(Map.of("payload", new byte[][] {payload}))
            .withRuntime(bigRuntime);
      }
      Dataset ds = parts[0].union(parts[1], parts[2]).mapBatches(b -> b);
      List<Map<String, Object>> rows = ds.takeAll();
      assertThat(rows).hasSize(3);
      assertThat(((byte[]) rows.get(2).get("payload"))[2]).isEqualTo((byte) 3);
      assertThat(ds.stats().operator("Output").oversizeBlocks()).isPositive();
      assertThat(big.peakBytes()).isLessThanOrEqualTo(big.limitBytes());
      assertThat(big.allocatedBytes()).isZero();
    }
  }

  @Test
  void aBlockLargerThanTheWholeArenaFailsWithTheTypedError() {
    // 3M int64 = 24 MiB in one block, in a 16 MiB arena: even one block cannot be allocated.
    Dataset ds = Tributary.range(3_000_000, 1).withRuntime(runtime).map(r -> r);
    assertThatThrownBy(ds::count)
        .isInstanceOf(MemoryLimitExceededException.class)
        .hasMessageContaining("Range");
  }

  @Test
  void aFastConsumerLetsSourceAndMapRunAtTheSameTime() {
    // Each side records when it was busy; governance must not serialise them: some source work
    // must happen while a map call is running.
    List<long[]> sourceBusy = new CopyOnWriteArrayList<>();
    List<long[]> mapBusy = new CopyOnWriteArrayList<>();
    Account sourceAccount = arena.openAccount("test-source");
    Flux<Block> timedSource = Flux.range(0, 64).map(i -> {
      long t0 = System.nanoTime();
      long[] v = new long[200_000];
      for (int k = 0; k < v.length; k++) {
        v[k] = (long) Math.sqrt(k + i) * 31 + k;
      }
      Block b = BlockBuilder.in(sourceAccount).column("id", v).build();
      sourceBusy.add(new long[] {t0, System.nanoTime()});
      return b;
    });
    Dataset ds = Tributary.fromFlux(timedSource).withRuntime(runtime).mapBatches(batch -> {
      long t0 = System.nanoTime();
      long[] id = (long[]) batch.get("id");
      long[] out = new long[id.length];
      for (int k = 0; k < id.length; k++) {
        out[k] = (long) Math.cbrt(id[k]) + (long) Math.sqrt(k);
      }
      mapBusy.add(new long[] {t0, System.nanoTime()});
      return Map.of("id", out);
    });
    assertThat(ds.count()).isEqualTo(64L * 200_000);
    long overlapping = sourceBusy.stream()
        .filter(s -> mapBusy.stream().anyMatch(m -> s[0] < m[1] && m[0] < s[1]))
        .count();
    assertThat(overlapping).as("source blocks built while the map was running").isPositive();
    ExecutionStats stats = ds.stats();
    assertThat(stats.operator("FromFlux").overlaps(stats.operator("MapBatches"))).isTrue();
    sourceAccount.close();
  }
}
