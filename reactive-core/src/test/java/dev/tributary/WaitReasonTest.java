package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.WaitReason;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Progress that says why: in situations built to hold still, each operator reports the reason
 * it waits (a slow consumer: downstream; a slow source: upstream; a budget too small for the next
 * block, memory, is built in GovernorTest), the time per reason is kept, and progress lines say
 * it.
 */
class WaitReasonTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("why")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();

  @AfterEach
  void close() {
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  private RunningExecution only() {
    await(() -> runtime.executions().size() == 1);
    return runtime.executions().get(0);
  }

  private static OperatorSnapshot operator(RunningExecution e, String part) {
    return e.snapshot().stream().filter(o -> o.name().contains(part)).findFirst().orElseThrow();
  }

  /**
   * Waits until {@code condition} holds once. A pipeline passes through states while it fills
   * (an operator waits for downstream until the next request arrives), so the condition is not
   * evaluated again after it held.
   */
  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    boolean held = condition.getAsBoolean();
    while (!held && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.yield();
      held = condition.getAsBoolean();
    }
    assertThat(held).as("condition met within 30 s").isTrue();
  }

  @Test
  void aConsumerThatStopsAskingLeavesItsOperatorsWaitingForDownstream() {
    Dataset ds = Tributary.range(100_000, 100).withRuntime(runtime)
        .map(row -> Map.of("id", row.get("id"), "twice", 2 * (Long) row.get("id")));
    BaseSubscriber<Integer> slow = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
        request(1);
      }
    };
    ds.toFlux(Block::rowCount).subscribe(slow);
    RunningExecution e = only();
    await(() -> operator(e, "Output").waiting() == WaitReason.DOWNSTREAM
        && operator(e, "Map").waiting() == WaitReason.DOWNSTREAM
        && Progress.why(operator(e, "Output")).startsWith(" (waits for downstream "));
    slow.dispose();
    await(() -> runtime.executions().isEmpty());
    assertThat(ds.stats().operator("Output").backpressureNanos()).isPositive();
  }

  @Test
  void aSourceThatSendsNothingLeavesItsConsumersWaitingForUpstream() {
    Sinks.Empty<Void> gate = Sinks.empty();
    Dataset ds = Tributary.fromFlux(gate.asMono().thenMany(Flux.<Block>empty()))
        .withRuntime(runtime).map(row -> row);
    Long[] count = new Long[1];
    ds.countMono().subscribe(n -> count[0] = n);
    RunningExecution e = only();
    await(() -> operator(e, "Output").waiting() == WaitReason.UPSTREAM
        && operator(e, "Map").waiting() == WaitReason.UPSTREAM
        && Progress.why(operator(e, "Map")).startsWith(" (waits for upstream "));
    gate.tryEmitEmpty();
    await(() -> count[0] != null && runtime.executions().isEmpty());
    assertThat(ds.stats().operator("Map").upstreamNanos()).isPositive();
  }
}
