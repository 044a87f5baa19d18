package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Bytes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The runtime: one arena for every execution whatever their contexts say, schedulers of its own
 * or the application's, and a close that leaves no thread and no byte behind.
 */
class TributaryRuntimeTest {
  private static TributaryRuntime runtime(String name, long limit) {
    return TributaryRuntime.builder().name(name).memoryLimit(limit).failOnLeak(true).build();
  }

  /** Threads whose name starts with the runtime's: those it created. */
  private static List<Thread> threadsOf(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(name + "-")).toList();
  }

  @Test
  void twoContextsWithDifferentMemoryLimitsShareOneProcessBound() {
    try (TributaryRuntime runtime = runtime("bound", 64 * Bytes.MiB)) {
      Set<Object> arenas = ConcurrentHashMap.newKeySet();
      // 1 GiB and 1 GiB + 1 made two independent "hard" arenas before: now both run in one.
      Dataset a = Tributary.range(2_000_000, 40).withRuntime(runtime)
          .withContext(DataContext.defaults().withMemoryLimit(Bytes.GiB));
      Dataset b = Tributary.range(2_000_000, 40).withRuntime(runtime)
          .withContext(DataContext.defaults().withMemoryLimit(Bytes.GiB + 1))
          .mapBatches(batch -> batch, MapBatchesOptions.defaults().withConcurrency(2));
      List<Long> rows = Flux.merge(
              a.toFlux(block -> {
                arenas.add(block.owner().arena());
                return (long) block.rowCount();
              }).reduce(0L, Long::sum),
              b.toFlux(block -> {
                arenas.add(block.owner().arena());
                return (long) block.rowCount();
              }).reduce(0L, Long::sum))
          .collectList().block();
      assertThat(rows).containsExactly(2_000_000L, 2_000_000L);
      assertThat(arenas).containsExactly(runtime.arena());
      assertThat(runtime.arena().peakBytes()).isLessThanOrEqualTo(64 * Bytes.MiB);
      // Each execution is capped at the smaller of its context's limit and the runtime's.
      assertThat(a.stats().memoryLimitBytes()).isEqualTo(64 * Bytes.MiB);
      Dataset small = Tributary.range(1000, 4).withRuntime(runtime)
          .withContext(DataContext.defaults().withMemoryLimit(8 * Bytes.MiB));
      assertThat(small.count()).isEqualTo(1000);
      assertThat(small.filter(r -> true).count()).isEqualTo(1000);
    }
  }

  @Test
  void closingARuntimeLeavesNoThreadItMadeAndNoMemoryAndANewOneStartsAfter() throws Exception {
    TributaryRuntime runtime = runtime("closing", 64 * Bytes.MiB);
    Dataset ds = Tributary.fromItems(List.of(Map.of("x", 1L), Map.of("x", 2L)))
        .withRuntime(runtime)
        .mapBatches(b -> b, MapBatchesOptions.defaults().withConcurrency(2));
    assertThat(ds.count()).isEqualTo(2);
    assertThat(ds.takeAll()).hasSize(2);
    assertThat(threadsOf("closing")).isNotEmpty();
    runtime.close();
    for (Thread t : threadsOf("closing")) {
      t.join(10_000);
    }
    assertThat(threadsOf("closing")).noneMatch(Thread::isAlive);
    assertThat(runtime.arena().isClosed()).isTrue();
    assertThat(runtime.arena().allocatedBytes()).isZero();
    assertThatThrownBy(ds::count).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runtime 'closing' is closed");

    try (TributaryRuntime next = runtime("closing", 64 * Bytes.MiB)) {
      assertThat(ds.withRuntime(next).takeAll()).hasSize(2);
    }
  }

  @Test
  void closingARuntimeStopsAnExecutionStillStreamingAndTellsItsConsumer() throws Exception {
    TributaryRuntime runtime = runtime("stopping", 64 * Bytes.MiB);
    java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<Throwable> failure =
        new java.util.concurrent.CompletableFuture<>();
    Tributary.range(100_000_000, 10_000).withRuntime(runtime).toFlux(b -> b.rowCount())
        .subscribe(new reactor.core.publisher.BaseSubscriber<Integer>() {
          @Override
          protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
            request(1);
          }

          @Override
          protected void hookOnNext(Integer rows) {
            first.countDown();
          }

          @Override
          protected void hookOnError(Throwable e) {
            failure.complete(e);
          }
        });
    first.await();
    runtime.close();
    assertThat(failure.get()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runtime 'stopping' closed while execution 'stopping#1");
    assertThat(runtime.arena().isClosed()).isTrue();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  @Test
  void theDefaultRuntimeStartsAnewAfterItWasClosed() {
    TributaryRuntime first = TributaryRuntime.defaultRuntime();
    assertThat(TributaryRuntime.defaultRuntime()).isSameAs(first);
    assertThat(Tributary.range(10).filter(r -> true).count()).isEqualTo(10);
    first.close();
    TributaryRuntime second = TributaryRuntime.defaultRuntime();
    assertThat(second).isNotSameAs(first);
    assertThat(second.isClosed()).isFalse();
    assertThat(Tributary.range(10).filter(r -> true).count()).isEqualTo(10);
  }

  @Test
  void aRuntimeRunsOnTheApplicationsSchedulersAndLeavesThemRunning() {
    Scheduler appCpu = Schedulers.newParallel("app-cpu", 2, true);
    Scheduler appIo = Schedulers.newBoundedElastic(4, 100, "app-io", 60, true);
    try {
      Set<String> threads = ConcurrentHashMap.newKeySet();
      try (TributaryRuntime runtime = TributaryRuntime.builder().name("service")
          .memoryLimit(32 * Bytes.MiB).cpuScheduler(appCpu).ioScheduler(appIo)
          .failOnLeak(true).build()) {
        assertThat(runtime.cpuScheduler()).isSameAs(appCpu);
        Dataset ds = Tributary.range(10_000, 8).withRuntime(runtime)
            .mapBatches(b -> {
              threads.add(Thread.currentThread().getName());
              return b;
            }, MapBatchesOptions.defaults().withConcurrency(2));
        assertThat(ds.count()).isEqualTo(10_000);
        assertThat(threadsOf("service")).isEmpty();
      }
      assertThat(threads).isNotEmpty().allMatch(n -> n.startsWith("app-cpu"));
      assertThat(appCpu.isDisposed()).isFalse();
      assertThat(appIo.isDisposed()).isFalse();
    } finally {
      appCpu.dispose();
      appIo.dispose();
    }
  }
}
