package dev.tributary.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;

/** Device workers with simulated devices: threads, round robin, and memory after error and cancel. */
class GpusTest {
  private final SimulatedDevice zero = new SimulatedDevice("fake:0", 1 << 20);
  private final SimulatedDevice one = new SimulatedDevice("fake:1", 1 << 20);
  private final BufferAllocator host = new RootAllocator();

  @AfterEach
  void nothingLeft() {
    assertThat(zero.allocatedBytes()).isZero();
    assertThat(one.allocatedBytes()).isZero();
    assertThat(host.getAllocatedMemory()).isZero();
    host.close();
  }

  /** One call of a stage: what a GPU stage does per block, on the scheduler's thread. */
  private Mono<String> call(Scheduler scheduler, long bytes, boolean fail) {
    return Mono.fromCallable(() -> {
      try (Device device = Device.open("stage", host)) {
        device.allocate(bytes);
        if (fail) {
          throw new IllegalStateException("user function failed");
        }
        return device.name() + "@" + Thread.currentThread().getName() + ":" + device.isGpu();
      }
    }).subscribeOn(scheduler);
  }

  @Test
  void everyCallOfADeviceRunsOnItsOwnThreadWhereItWasAttached() {
    Gpus gpus = Gpus.of("t", 0.5, List.of(zero, one), null);
    Scheduler first = gpus.scheduler(GpuCompute.gpu(0));
    StepVerifier.create(Flux.range(0, 20).concatMap(i -> call(first, 1024, false)))
        .expectNextCount(20).verifyComplete();
    List<String> names = Flux.range(0, 8).concatMap(i -> call(first, 64, false)).collectList()
        .block();
    assertThat(names).containsOnly("fake:0@t-gpu-0:true");
    assertThat(zero.attachedOn().getName()).isEqualTo("t-gpu-0");
    assertThat(zero.threads()).containsExactly(zero.attachedOn());
    assertThat(gpus.arenas()).singleElement().satisfies(a -> {
      assertThat(a.limitBytes()).isEqualTo((1 << 20) / 2);
      assertThat(a.peakBytes()).isEqualTo(1024);
    });
    assertThat(gpus.heldBytes()).isZero();
    gpus.close();
    assertThat(zero.detachedOn()).isSameAs(zero.attachedOn());
    assertThat(one.attachedOn()).as("never used").isNull();
  }

  @Test
  void aStageOnSeveralDevicesSendsItsCallsToEachInTurn() {
    Gpus gpus = Gpus.of("t", 0.5, List.of(zero, one), null);
    Scheduler both = gpus.scheduler(GpuCompute.gpu(1, 0));
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Flux.range(0, 10).flatMap(i -> call(both, 256, false), 2).doOnNext(seen::add).blockLast();
    assertThat(seen).containsExactlyInAnyOrder("fake:0@t-gpu-0:true", "fake:1@t-gpu-1:true");
    assertThat(one.threads()).containsExactly(one.attachedOn());
    gpus.close();
    assertThat(one.detachedOn()).isSameAs(one.attachedOn());
  }

  @Test
  void failedAndCancelledCallsLeaveNoDeviceMemory() {
    Gpus gpus = Gpus.of("t", 0.5, List.of(zero), null);
    Scheduler device = gpus.scheduler(GpuCompute.gpu());
    StepVerifier.create(Flux.range(0, 5).concatMap(i -> call(device, 4096, i == 3)))
        .expectNextCount(3).verifyErrorMessage("user function failed");
    StepVerifier.create(Flux.range(0, 100).concatMap(i -> call(device, 4096, false)), 2)
        .expectNextCount(2).thenCancel().verify();
    // A call already running when the cancel came finishes on the device thread: wait for it.
    call(device, 1, false).block();
    assertThat(gpus.heldBytes()).isZero();
    gpus.close();
  }

  @Test
  void anAllocationAboveTheDeviceArenaIsATypedErrorOfThatCall() {
    Gpus gpus = Gpus.of("t", 0.25, List.of(zero), null);
    Scheduler device = gpus.scheduler(GpuCompute.gpu());
    StepVerifier.create(call(device, 1 << 19, false))
        .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(DeviceMemoryException.class)
            .hasMessageContaining("gpuMemoryFraction"));
    StepVerifier.create(call(device, 1 << 10, false)).expectNextCount(1).verifyComplete();
    gpus.close();
  }

  @Test
  void closingWhileACallHoldsDeviceMemoryReportsTheLeakAndFreesIt() {
    Gpus gpus = Gpus.of("t", 0.5, List.of(zero), null);
    Scheduler device = gpus.scheduler(GpuCompute.gpu());
    Device kept = Mono.fromCallable(() -> {
      Device d = Device.open("unfinished", host);
      d.allocate(2048);
      return d;
    }).subscribeOn(device).block();
    assertThat(kept.account().heldBytes()).isEqualTo(2048);
    assertThatThrownBy(gpus::close).isInstanceOf(DeviceMemoryLeakException.class)
        .hasMessageContaining("'unfinished' 2.0 KiB");
    assertThat(zero.detachedOn()).isSameAs(zero.attachedOn());
  }

  @Test
  void aDeviceTheMachineDoesNotHaveIsATypedError() {
    Gpus gpus = Gpus.of("t", 0.5, List.of(zero), null);
    assertThatThrownBy(() -> gpus.scheduler(GpuCompute.gpu(0, 3)))
        .isInstanceOf(GpuException.class).hasMessageContaining("gpu(0, 3)")
        .hasMessageContaining("1 CUDA device(s)");
    gpus.close();
  }

  @Test
  void withoutDevicesStagesFallBackToTheCpuWithAReason() {
    Gpus none = Gpus.of("t", 0.5, List.of(), "no GPU in this test");
    assertThat(none.deviceCount()).isZero();
    assertThat(none.scheduler(GpuCompute.gpu(0))).isNull();
    assertThat(none.fallbackReason()).isEqualTo("no GPU in this test");
    none.close();
  }

  @Test
  void theProbeNeverFailsAtClassLoadingAndGivesAReasonWithoutADevice() {
    Gpus machine = Gpus.open("probe", Gpus.DEFAULT_MEMORY_FRACTION);
    if (machine.deviceCount() == 0) {
      assertThat(machine.fallbackReason()).isNotBlank();
      assertThat(machine.scheduler(GpuCompute.gpu(0))).isNull();
    } else {
      assertThat(machine.fallbackReason()).isNull();
    }
    machine.close();
    assertThatThrownBy(() -> GpuCompute.gpu(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GpuCompute.gpu(1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Gpus.open("x", 1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThat(GpuCompute.gpu()).hasToString("gpu(0)");
  }
}
