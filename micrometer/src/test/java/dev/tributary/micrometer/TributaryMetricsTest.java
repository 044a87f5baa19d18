package dev.tributary.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.BlockIterator;
import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.exchange.SortKey;
import dev.tributary.operators.exchange.SpillSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binder in a {@link SimpleMeterRegistry}: runtime meters always, an execution's and its
 * operators' meters (tagged by execution and operator) while it runs, gone when it ends.
 */
class TributaryMetricsTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("metered")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TributaryMetrics metrics = new TributaryMetrics(runtime);

  @AfterEach
  void close() {
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  private Dataset pipeline() {
    return Tributary.range(100_000, 10).withRuntime(runtime)
        .map(r -> Map.of("id", r.get("id"), "twice", (Long) r.get("id") * 2));
  }

  @Test
  void runtimeMetersReportTheArena() {
    metrics.bindTo(registry);
    assertThat(registry.get("tributary.memory.limit").tag("runtime", "metered").gauge().value())
        .isEqualTo(64.0 * Bytes.MiB);
    assertThat(registry.get("tributary.memory.allocated").gauge().value()).isZero();
    assertThat(registry.get("tributary.executions.running").gauge().value()).isZero();
    assertThat(pipeline().count()).isEqualTo(100_000);
    assertThat(registry.get("tributary.executions.completed").counter().count()).isEqualTo(1);
    assertThat(registry.get("tributary.memory.peak").gauge().value()).isPositive();
  }

  @Test
  void aRunningExecutionHasMetersPerOperatorThatGoWhenItEnds() {
    metrics.bindTo(registry);
    Dataset ds = pipeline();
    try (BlockIterator blocks = ds.iterator()) {
      Block first = blocks.next();
      long rows = first.rowCount();
      first.close();
      String execution = registry.get("tributary.execution.memory.limit").gauge().getId()
          .getTag("execution");
      assertThat(execution).startsWith("metered#").contains("Range[100000]");
      assertThat(registry.get("tributary.execution.memory.limit").gauge().value())
          .isEqualTo(64.0 * Bytes.MiB);
      Set<String> operators = registry.find("tributary.operator.memory.held").gauges().stream()
          .map(g -> g.getId().getTag("operator")).collect(Collectors.toSet());
      assertThat(operators).hasSizeGreaterThanOrEqualTo(2)
          .anyMatch(o -> o.contains("Range")).anyMatch(o -> o.contains("Map"));
      FunctionCounter sourceRows = registry.find("tributary.operator.rows")
          .tag("execution", execution).tag("stage", "0").tag("direction", "out")
          .functionCounter();
      assertThat(sourceRows.count()).isGreaterThanOrEqualTo(rows);
      assertThat(registry.find("tributary.operator.user.time").tag("execution", execution)
          .functionCounters()).isNotEmpty();
      assertThat(registry.find("tributary.operator.throttled.time").functionCounters())
          .hasSize(operators.size());
      assertThat(registry.get("tributary.executions.running").gauge().value()).isEqualTo(1);
      Gauge held = registry.get("tributary.execution.memory.held").gauge();
      assertThat(held.value()).isBetween(0.0, 64.0 * Bytes.MiB);
    }
    awaitTrue(() -> registry.find("tributary.execution.memory.held").gauges().isEmpty());
    assertThat(registry.getMeters()).map(Meter::getId).map(Meter.Id::getName)
        .allMatch(n -> !n.startsWith("tributary.operator") && !n.startsWith("tributary.execution."));
    assertThat(registry.get("tributary.executions.completed").counter().count()).isEqualTo(1);
  }

  @Test
  void aStatsSnapshotAfterTheEndMatchesWhatTheCountersLastSaw() {
    metrics.bindTo(registry);
    Dataset ds = pipeline();
    assertThat(ds.count()).isEqualTo(100_000);
    assertThat(ds.stats().rowsOut()).isEqualTo(100_000);
    assertThat(registry.find("tributary.operator.rows").functionCounters()).isEmpty();
  }

  @Test
  void aSpillingSortReportsSpilledAndRestoredBytes(@TempDir Path spillDir) throws Exception {
    TributaryRuntime tiny = TributaryRuntime.builder().name("tiny").memoryLimit(4 * Bytes.MiB)
        .failOnLeak(true).build();
    try (TributaryMetrics tinyMetrics = new TributaryMetrics(tiny)) {
      tinyMetrics.bindTo(registry);
      Dataset sorted = Tributary.range(300_000, 16).withRuntime(tiny)
          .withContext(DataContext.defaults().toBuilder().memoryLimit(4 * Bytes.MiB)
              .spill(new SpillSettings(spillDir, Bytes.GiB)).build())
          .sort(SortKey.desc("id"));
      try (BlockIterator blocks = sorted.iterator()) {
        // The sort emits its first block only after it consumed (and spilled) its whole input.
        blocks.next().close();
        assertThat(sortMeter("tributary.operator.spilled.bytes").count()).isPositive();
        assertThat(sortMeter("tributary.operator.restored.bytes").count()).isPositive();
        assertThat(sortMeter("tributary.operator.spill.time").count()).isPositive();
        assertThat(registry.find("tributary.operator.spilled.bytes").tag("runtime", "tiny")
            .tag("stage", "0").functionCounter().count()).as("the source spills nothing")
            .isZero();
        // Closed after one block: the cancel must give back every byte (a block racing it
        // once stayed held until the runtime closed; see ConsumerEndTest).
      }
      awaitTrue(() -> registry.find("tributary.operator.spilled.bytes").tag("runtime", "tiny")
          .functionCounters().isEmpty());
      assertThat(sorted.stats().operator("Sort").spills().bytesSpilled()).isPositive();
    } finally {
      tiny.close();
    }
    assertThat(tiny.arena().allocatedBytes()).isZero();
    try (Stream<Path> left = Files.list(spillDir)) {
      assertThat(left).isEmpty();
    }
  }

  private FunctionCounter sortMeter(String name) {
    return registry.find(name).tag("runtime", "tiny").functionCounters().stream()
        .filter(c -> c.getId().getTag("operator").startsWith("Sort")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " meter for the Sort stage"));
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
