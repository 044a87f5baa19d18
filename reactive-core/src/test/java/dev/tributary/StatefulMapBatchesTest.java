package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.UserFunctionException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code mapBatches} given a factory: a pool of instances, one per worker. */
class StatefulMapBatchesTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("pool-test")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext ctx = DataContext.defaults().withCpuLimit(4);

  private static final AtomicInteger MADE = new AtomicInteger();
  private static final AtomicInteger CLOSED = new AtomicInteger();
  private static final AtomicBoolean SHARED = new AtomicBoolean();
  private static final Set<Integer> USED = ConcurrentHashMap.newKeySet();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    MADE.set(0);
    CLOSED.set(0);
    SHARED.set(false);
    USED.clear();
  }

  private Dataset range(long n, int blocks) {
    return Tributary.range(n, blocks).withRuntime(runtime).withContext(ctx);
  }

  /**
   * A "model" with state that breaks when shared: it writes the batch into its own scratch
   * array, then reads it back, so a second thread inside the same instance corrupts results (and
   * the detector sees it).
   */
  public static final class Model
      implements Function<Map<String, Object>, Map<String, Object>>, AutoCloseable {
    private final int number = MADE.incrementAndGet();
    private final AtomicInteger inside = new AtomicInteger();
    private final long scale;
    private final long failOn;

    /** A model multiplying by 10. */
    public Model() {
      this(10L, -1L);
    }

    /** A model multiplying by {@code scale} that fails on the batch starting at {@code failOn}. */
    public Model(Long scale, Long failOn) {
      this.scale = scale;
      this.failOn = failOn;
    }

    @Override
    public Map<String, Object> apply(Map<String, Object> batch) {
      if (inside.incrementAndGet() > 1) {
        SHARED.set(true);
      }
      try {
        USED.add(number);
        long[] id = (long[]) batch.get("id");
        if (id.length > 0 && id[0] == failOn) {
          throw new IllegalStateException("model failed on " + failOn);
        }
        long[] y = new long[id.length];
        for (int i = 0; i < id.length; i++) {
          y[i] = id[i] * scale;
        }
        return Map.of("id", id, "y", y);
      } finally {
        inside.decrementAndGet();
      }
    }

    @Override
    public void close() {
      CLOSED.incrementAndGet();
    }
  }

  @Test
  void aFactoryGivesEachWorkerOneInstanceReusedAndClosedAtTheEnd() {
    Dataset ds = range(10_000, 100).mapBatches(Model::new,
        MapBatchesOptions.defaults().withCompute(ComputeStrategy.pool(2)).withName("embed"));

    List<Map<String, Object>> rows = ds.takeAll();

    assertThat(rows).extracting(r -> (Long) r.get("y"))
        .containsExactlyElementsOf(LongStream.range(0, 10_000).map(v -> v * 10).boxed().toList());
    assertThat(MADE).hasValue(2);
    assertThat(USED).containsExactlyInAnyOrder(1, 2);
    assertThat(SHARED).isFalse();
    assertThat(CLOSED).hasValue(2);
    OperatorSnapshot embed = ds.stats().operator("embed");
    assertThat(embed.peakWorkers()).isEqualTo(2);
    assertThat(embed.rowsOut()).isEqualTo(10_000);
    assertThat(ds.explain()).contains("WorkerPool embed[pool 2..2]");
  }

  @Test
  void concurrencyWithAFactoryIsAFixedPool() {
    Dataset ds = range(1_000, 20).mapBatches(Model::new,
        MapBatchesOptions.defaults().withConcurrency(2));

    assertThat(ds.count()).isEqualTo(1_000);
    assertThat(MADE).hasValue(2);
    assertThat(CLOSED).hasValue(2);
    assertThat(SHARED).isFalse();
  }

  @Test
  void aClassWithConstructorArgumentsMakesTheInstances() {
    Dataset ds = range(100, 4).mapBatches(Model.class,
        MapBatchesOptions.defaults().withCompute(ComputeStrategy.pool(1, 2)), 3L, -1L);

    assertThat(ds.takeAll()).extracting(r -> (Long) r.get("y"))
        .containsExactlyElementsOf(LongStream.range(0, 100).map(v -> v * 3).boxed().toList());
    assertThat(CLOSED).hasValue(MADE.get());
  }

  @Test
  void constructorArgumentsThatFitNoConstructorFailAtTheCall() {
    assertThatThrownBy(() -> range(10, 1).mapBatches(Model.class,
        MapBatchesOptions.defaults(), "three"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no public constructor of")
        .hasMessageContaining("(String)");
  }

  @Test
  void aPoolOfAPlainFunctionIsRefusedAtTheCall() {
    assertThatThrownBy(() -> range(10, 1).mapBatches(b -> b,
        MapBatchesOptions.defaults().withCompute(ComputeStrategy.pool(1, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("factory");
  }

  @Test
  void instancesAreClosedWhenTheConsumerStopsEarly() {
    Dataset ds = range(10_000, 100).mapBatches(Model::new,
        MapBatchesOptions.defaults().withCompute(ComputeStrategy.pool(2)));

    assertThat(ds.take(150)).hasSize(150);
    assertThat(MADE.get()).isPositive();
    assertThat(CLOSED).hasValue(MADE.get());
  }

  @Test
  void instancesAreClosedWhenOneFails() {
    Dataset ds = range(10_000, 100).mapBatches(Model.class,
        MapBatchesOptions.defaults().withCompute(ComputeStrategy.pool(2)).withName("embed"),
        10L, 5_000L);

    assertThatThrownBy(ds::count)
        .isInstanceOf(UserFunctionException.class)
        .hasMessageContaining("embed")
        .hasRootCauseMessage("model failed on 5000");
    assertThat(CLOSED).hasValue(MADE.get());
  }

  @Test
  void aNameShowsInExplainStatsAndProgressForTasksToo() {
    Dataset ds = range(1_000, 10).mapBatches(b -> b,
        MapBatchesOptions.defaults().withConcurrency(2).withName("tokenize"));

    assertThat(ds.count()).isEqualTo(1_000);
    assertThat(ds.explain()).contains("tokenize");
    assertThat(ds.stats().operator("tokenize").rowsOut()).isEqualTo(1_000);
  }
}
