package dev.tributary.spring;

import dev.tributary.DataContext;
import dev.tributary.TributaryRuntime;
import dev.tributary.dashboard.Dashboard;
import dev.tributary.micrometer.TributaryMetrics;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Tributary in a Spring Boot application:
 * <ul>
 *   <li>{@code tributaryCpuScheduler} and {@code tributaryIoScheduler}: Reactor schedulers the
 *       application context owns (define beans of those names to use your own);
 *   <li>a {@link TributaryRuntime} on them, bounded by {@code tributary.memory-limit}; closed
 *       when the context closes, which is after the web server's graceful shutdown has let
 *       in-flight responses finish (executions still streaming then are stopped and their memory
 *       released);
 *   <li>the {@link DataContext} of the {@code tributary.*} properties;
 *   <li>{@link TributaryMetrics}, which Spring Boot's metrics bind to the application's
 *       registry;
 *   <li>with {@code tributary.dashboard.enabled=true}, the live {@link Dashboard} (127.0.0.1
 *       unless {@code tributary.dashboard.host} says otherwise);
 *   <li>in a WebFlux application, a filter that puts the runtime and context into every
 *       request's Reactor context, so a dataset a handler streams runs in this runtime with
 *       these defaults without {@code withRuntime}.
 * </ul>
 * Every bean backs off when the application defines its own.
 */
@AutoConfiguration
@EnableConfigurationProperties(TributaryProperties.class)
public class TributaryAutoConfiguration {
  /** The application context's cpu scheduler for Tributary (disposed when the context closes). */
  @Bean(destroyMethod = "dispose")
  @ConditionalOnMissingBean(name = "tributaryCpuScheduler")
  public Scheduler tributaryCpuScheduler(TributaryProperties properties) {
    return Schedulers.newParallel(properties.getName() + "-cpu", properties.getCpuThreads(),
        true);
  }

  /** The application context's I/O scheduler for Tributary (disposed when the context closes). */
  @Bean(destroyMethod = "dispose")
  @ConditionalOnMissingBean(name = "tributaryIoScheduler")
  public Scheduler tributaryIoScheduler(TributaryProperties properties) {
    return Schedulers.newBoundedElastic(Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE,
        Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE, properties.getName() + "-io", 60, true);
  }

  /** The runtime: one memory bound for every execution of the application. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public TributaryRuntime tributaryRuntime(TributaryProperties properties,
      @Qualifier("tributaryCpuScheduler") Scheduler cpu,
      @Qualifier("tributaryIoScheduler") Scheduler io) {
    return TributaryRuntime.builder()
        .name(properties.getName())
        .memoryLimit(properties.getMemoryLimit().toBytes())
        .cpuScheduler(cpu)
        .ioScheduler(io)
        .failOnLeak(properties.isFailOnLeak())
        .build();
  }

  /** The defaults datasets of this application run with. */
  @Bean
  @ConditionalOnMissingBean
  public DataContext tributaryDataContext(TributaryProperties properties) {
    return properties.toDataContext();
  }

  /** Runtime, per-execution and per-operator meters ({@link TributaryMetrics}). */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public TributaryMetrics tributaryMetrics(TributaryRuntime runtime) {
    return new TributaryMetrics(runtime);
  }

  /**
   * The live dashboard of the runtime, when {@code tributary.dashboard.enabled=true} (bound to
   * {@code tributary.dashboard.host}, 127.0.0.1 unless told); stopped with the context.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(prefix = "tributary.dashboard", name = "enabled", havingValue = "true")
  @ConditionalOnMissingBean
  public Dashboard tributaryDashboard(TributaryRuntime runtime, TributaryProperties properties) {
    Dashboard dashboard = Dashboard.builder(runtime).host(properties.getDashboard().getHost())
        .port(properties.getDashboard().getPort()).start();
    LoggerFactory.getLogger(TributaryAutoConfiguration.class)
        .info("Tributary dashboard at {}", dashboard.uri());
    return dashboard;
  }

  /** WebFlux: every request's datasets run in the runtime bean with the context bean. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebFilter.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  static class WebFluxConfiguration {
    /** Puts the runtime and context into each exchange's Reactor context. */
    @Bean
    @ConditionalOnMissingBean(name = "tributaryWebFilter")
    WebFilter tributaryWebFilter(TributaryRuntime runtime, DataContext context) {
      return (exchange, chain) -> chain.filter(exchange).contextWrite(ctx -> ctx
          .put(TributaryRuntime.CONTEXT_KEY, runtime)
          .put(DataContext.CONTEXT_KEY, context));
    }
  }
}
