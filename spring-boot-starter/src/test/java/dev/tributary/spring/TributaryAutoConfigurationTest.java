package dev.tributary.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataContext;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.dashboard.Dashboard;
import dev.tributary.memory.Bytes;
import dev.tributary.micrometer.TributaryMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.client.HttpClient;
import reactor.core.scheduler.Schedulers;

/** The auto-configuration: beans, properties, the application's schedulers, shutdown. */
class TributaryAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TributaryAutoConfiguration.class));

  @Test
  void propertiesSetTheRuntimeBoundAndTheContextDefaults() {
    runner.withPropertyValues("tributary.name=svc", "tributary.memory-limit=64MB",
            "tributary.execution-memory-limit=16MB", "tributary.target-max-block-size=2MB",
            "tributary.preserve-order=false", "tributary.cpu-limit=3",
            "tributary.max-errored-blocks=2")
        .run(context -> {
          TributaryRuntime runtime = context.getBean(TributaryRuntime.class);
          assertThat(runtime.name()).isEqualTo("svc");
          assertThat(runtime.memoryLimit()).isEqualTo(64 * Bytes.MiB);
          DataContext data = context.getBean(DataContext.class);
          assertThat(data.memoryLimit()).isEqualTo(16 * Bytes.MiB);
          assertThat(data.targetMaxBlockSize()).isEqualTo(2 * Bytes.MiB);
          assertThat(data.preserveOrder()).isFalse();
          assertThat(data.cpuLimit()).isEqualTo(3);
          assertThat(data.maxErroredBlocks()).isEqualTo(2);
          assertThat(Tributary.range(1000).withRuntime(runtime).withContext(data).count())
              .isEqualTo(1000);
        });
  }

  @Test
  void theDashboardIsOffUnlessEnabledAndThenOnLoopback() {
    runner.run(context -> assertThat(context).doesNotHaveBean(Dashboard.class));
    runner.withPropertyValues("tributary.dashboard.enabled=true").run(context -> {
      Dashboard dashboard = context.getBean(Dashboard.class);
      assertThat(dashboard.address().getAddress().isLoopbackAddress()).isTrue();
      String page = HttpClient.create().get().uri(dashboard.uri().toString()).responseContent()
          .aggregate().asString().block(Duration.ofSeconds(30));
      assertThat(page).contains("Tributary dashboard");
    });
  }

  @Test
  void theRuntimeRunsOnTheContextsSchedulersAndClosesBeforeThem() {
    AtomicReference<TributaryRuntime> runtime = new AtomicReference<>();
    AtomicReference<Scheduler> cpu = new AtomicReference<>();
    runner.withPropertyValues("tributary.memory-limit=32MB").run(context -> {
      runtime.set(context.getBean(TributaryRuntime.class));
      cpu.set(context.getBean("tributaryCpuScheduler", Scheduler.class));
      assertThat(runtime.get().cpuScheduler()).isSameAs(cpu.get());
      assertThat(runtime.get().ioScheduler())
          .isSameAs(context.getBean("tributaryIoScheduler", Scheduler.class));
      assertThat(Tributary.range(10_000).withRuntime(runtime.get()).count()).isEqualTo(10_000);
    });
    assertThat(runtime.get().isClosed()).isTrue();
    assertThat(runtime.get().arena().allocatedBytes()).isZero();
    assertThat(cpu.get().isDisposed()).isTrue();
  }

  @Test
  void theApplicationsOwnSchedulerIsUsedAndLeftToIt() {
    Scheduler mine = Schedulers.newParallel("mine", 2, true);
    try {
      runner.withBean("tributaryCpuScheduler", Scheduler.class, () -> mine)
          .run(context -> assertThat(context.getBean(TributaryRuntime.class).cpuScheduler())
              .isSameAs(mine));
    } finally {
      mine.dispose();
    }
  }

  @Test
  void theMeterBinderReportsTheRuntime() {
    runner.withPropertyValues("tributary.name=metered", "tributary.memory-limit=32MB")
        .run(context -> {
          SimpleMeterRegistry registry = new SimpleMeterRegistry();
          context.getBean(TributaryMetrics.class).bindTo(registry);
          assertThat(registry.get("tributary.memory.limit").tag("runtime", "metered").gauge()
              .value()).isEqualTo(32.0 * Bytes.MiB);
          Tributary.range(100).withRuntime(context.getBean(TributaryRuntime.class))
              .filter(r -> true).count();
          assertThat(registry.get("tributary.executions.completed").counter().count())
              .isEqualTo(1);
        });
  }
}
