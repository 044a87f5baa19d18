package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.http.ArrowHttp;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.WaitReason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Admission control: an execution whose minimum working set does not fit beside those running
 * waits in its runtime's queue, visibly, and starts when memory comes back; it never fails for
 * lack of memory, and one that could never fit fails at once, naming what it needs.
 */
class AdmissionTest {
  private static final long LIMIT = 64 * Bytes.MiB;
  /** Four unfused maps: with 2 MiB blocks (1/32 of the limit) 22 MiB each, two fit, not three. */
  private static final DataContext UNFUSED = DataContext.defaults().withOperatorFusion(false);

  @TempDir Path dir;
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("admission")
      .memoryLimit(LIMIT).failOnLeak(true).build();

  @AfterEach
  void close() {
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  /** {@code source} through four unfused maps, in the test's runtime. */
  private Dataset fourMaps(Dataset source) {
    Dataset ds = source.withRuntime(runtime).withContext(UNFUSED);
    for (int i = 0; i < 4; i++) {
      ds = ds.map(row -> row);
    }
    return ds;
  }

  /** A dataset whose source emits nothing until {@code gate} completes, then ends. */
  private Dataset held(Sinks.Empty<Void> gate) {
    return fourMaps(Tributary.fromFlux(gate.asMono().thenMany(Flux.<Block>empty())));
  }

  private RunningExecution execution(String part) {
    return runtime.executions().stream().filter(e -> e.name().contains(part)).findFirst()
        .orElseThrow();
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.yield();
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }

  @Test
  void anExecutionThatDoesNotFitWaitsVisiblyAndStartsWhenAnotherEnds() {
    Sinks.Empty<Void> gateA = Sinks.empty();
    Sinks.Empty<Void> gateB = Sinks.empty();
    Mono<Long> a = held(gateA).countMono();
    Mono<Long> b = held(gateB).countMono();
    Dataset c = fourMaps(Tributary.range(1000, 4));
    List<Long> counts = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.subscribe(counts::add);
    b.subscribe(counts::add);
    c.countMono().subscribe(counts::add);
    RunningExecution queued = execution("Range");
    assertThat(queued.queuedForMemory()).isTrue();
    assertThat(queued.minimumBytes()).isEqualTo(22 * Bytes.MiB);
    assertThat(queued.snapshot()).extracting(OperatorSnapshot::waiting)
        .containsOnly(WaitReason.ADMISSION);
    assertThat(runtime.executions()).filteredOn(RunningExecution::queuedForMemory).hasSize(1);
    assertThat(Progress.queued(queued.queuedNanos(), queued.minimumBytes()))
        .startsWith("queued for memory ").endsWith("s (needs 22.0 MiB)");
    gateA.tryEmitEmpty();
    await(() -> counts.contains(1000L));
    assertThat(c.stats().queuedNanos()).isPositive();
    assertThat(c.stats().operator("Output").admissionNanos()).isPositive();
    assertThat(c.stats().toString()).contains("queued for memory");
    gateB.tryEmitEmpty();
    await(() -> counts.size() == 3);
    assertThat(counts).containsExactlyInAnyOrder(0L, 0L, 1000L);
    await(() -> runtime.executions().isEmpty());
  }

  @Test
  void cancellingAQueuedExecutionLeavesNothingBehind() {
    Sinks.Empty<Void> gate = Sinks.empty();
    List<Long> counts = new java.util.concurrent.CopyOnWriteArrayList<>();
    held(gate).countMono().subscribe(counts::add);
    held(gate).countMono().subscribe(counts::add);
    Disposable queued = fourMaps(Tributary.range(1000, 4)).toFlux(Block::rowCount).subscribe();
    assertThat(execution("Range").queuedForMemory()).isTrue();
    queued.dispose();
    await(() -> runtime.executions().size() == 2);
    assertThat(runtime.arena().allocatedBytes()).isZero();
    // The next one waits no more than the two running make it.
    gate.tryEmitEmpty();
    await(() -> counts.size() == 2);
    assertThat(fourMaps(Tributary.range(1000, 4)).count()).isEqualTo(1000);
    await(() -> runtime.executions().isEmpty());
  }

  @Test
  void anExecutionThatCouldNeverFitFailsAtOnceNamingItsMinimumAndTheLimit() {
    Dataset ds = Tributary.range(1000, 4).withRuntime(runtime).withContext(UNFUSED);
    for (int i = 0; i < 16; i++) {
      ds = ds.map(row -> row);
    }
    // A source, 16 transforms and the consumer's end: 35 blocks of 2 MiB.
    Dataset tooLong = ds;
    assertThatThrownBy(tooLong::count).isInstanceOf(WorkingSetTooLargeException.class)
        .hasMessageContaining("admission#")
        .hasMessageContaining("needs at least 70.0 MiB")
        .hasMessageContaining("memory limit is 64.0 MiB")
        .satisfies(e -> {
          WorkingSetTooLargeException w = (WorkingSetTooLargeException) e;
          assertThat(w.minimumBytes()).isEqualTo(70 * Bytes.MiB);
          assertThat(w.limitBytes()).isEqualTo(LIMIT);
        });
    assertThat(runtime.executions()).isEmpty();
  }

  /** Decodes an Arrow stream; checks every row's transform; returns rows and the sum of ids. */
  private static long[] decode(byte[] stream) throws Exception {
    long rows = 0;
    long sum = 0;
    try (RootAllocator allocator = new RootAllocator();
        ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(stream),
            allocator)) {
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        Float8Vector x = (Float8Vector) reader.getVectorSchemaRoot().getVector("x");
        Float8Vector y = (Float8Vector) reader.getVectorSchemaRoot().getVector("y");
        for (int i = 0; i < id.getValueCount(); i++) {
          if (x.get(i) != id.get(i) / 10.0 || y.get(i) != 2 * x.get(i) + 1) {
            throw new AssertionError("row " + id.get(i) + " transformed wrongly");
          }
          sum += id.get(i);
        }
        rows += id.getValueCount();
      }
    }
    return new long[] {rows, sum};
  }

  /**
   * The WebFlux sample's load without the web server: 50 responses at once in 48 MiB with 512
   * KiB blocks, each read by a slow client. Before admission some failed with
   * MemoryLimitExceededException; now those that do not fit wait.
   */
  @Test
  void fiftyConcurrentExecutionsInATightArenaAllCompleteWithinTheLimit() throws Exception {
    long rows = 100_000;
    try (TributaryRuntime runtime = TributaryRuntime.builder().name("admit50")
        .memoryLimit(48 * Bytes.MiB).failOnLeak(true).build()) {
      DataContext context = DataContext.defaults().withTargetMaxBlockSize(512 * Bytes.KiB);
      Path data = dir.resolve("rows");
      Tributary.range(rows, 16).withRuntime(runtime).withContext(context)
          .mapBatches(batch -> {
            long[] id = (long[]) batch.get("id");
            double[] x = new double[id.length];
            String[] label = new String[id.length];
            for (int i = 0; i < id.length; i++) {
              x[i] = id[i] / 10.0;
              label[i] = "item-" + (id[i] % 97);
            }
            return Map.of("id", id, "x", x, "label", label);
          })
          .writeParquet(data.toString());
      runtime.arena().resetPeak();
      Dataset ds = Tributary.readParquet(data.toString()).withRuntime(runtime)
          .withContext(context)
          .mapBatches(batch -> {
            double[] x = (double[]) batch.get("x");
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
              y[i] = 2 * x[i] + 1;
            }
            Map<String, Object> out = new LinkedHashMap<>(batch);
            out.put("y", y);
            return out;
          });
      List<Mono<byte[]>> clients = new ArrayList<>();
      for (int c = 0; c < 50; c++) {
        clients.add(ArrowHttp.arrowStream(ds)
            .concatMap(p -> Mono.delay(Duration.ofMillis(1)).thenReturn(p), 1)
            .reduce(new ByteArrayOutputStream(), (out, p) -> {
              out.writeBytes(p);
              return out;
            })
            .map(ByteArrayOutputStream::toByteArray));
      }
      List<byte[]> streams = Flux.merge(clients).collectList().block(Duration.ofMinutes(5));
      assertThat(streams).hasSize(50);
      for (byte[] stream : streams) {
        assertThat(decode(stream)).containsExactly(rows, rows * (rows - 1) / 2);
      }
      assertThat(runtime.arena().peakBytes()).isLessThanOrEqualTo(48 * Bytes.MiB);
      await(() -> runtime.executions().isEmpty());
      assertThat(runtime.arena().allocatedBytes()).isZero();
    }
  }
}
