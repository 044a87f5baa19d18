package dev.tributary.spark;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The threads of every task's runtime in one executor: a parallel scheduler of a thread per core
 * and a bounded elastic one, made on first use and kept while the executor's JVM lives (daemon
 * threads). Each task still has a runtime and arena of its own (its memory bound), but it starts
 * and closes without starting or stopping threads: closing a runtime's own schedulers waits for
 * their threads to end, tens of milliseconds on every task's path.
 */
final class ExecutorThreads {
  private static Scheduler cpu;
  private static Scheduler io;

  private ExecutorThreads() {}

  /** The executor's non-blocking threads (user functions, governors). */
  static synchronized Scheduler cpu() {
    if (cpu == null) {
      cpu = Schedulers.newParallel("tributary-executor-cpu",
          Runtime.getRuntime().availableProcessors(), true);
    }
    return cpu;
  }

  /** The executor's threads that may block (sources, sinks, the ticker). */
  static synchronized Scheduler io() {
    if (io == null) {
      io = Schedulers.newBoundedElastic(Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE,
          Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE, "tributary-executor-io", 60, true);
    }
    return io;
  }
}
