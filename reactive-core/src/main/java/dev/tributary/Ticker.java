package dev.tributary;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import reactor.core.scheduler.Scheduler;

/**
 * A runtime's one periodic driver (budget rebalancing, progress lines): ticks every {@link
 * #PERIOD} while any of its tasks is active, and not at all otherwise. Each tick is a one-shot
 * task that schedules the next, so there is never a periodic task to dispose (disposing one from
 * a pipeline thread may park, which a non-blocking thread must not); closing the runtime disposes
 * the scheduler, which ends it.
 */
final class Ticker {
  /** How often an active ticker ticks. */
  static final Duration PERIOD = Duration.ofMillis(50);

  /** Work done on each tick while {@code active} says so. */
  record Task(BooleanSupplier active, Runnable tick) {}

  private final Scheduler scheduler;
  private final List<Task> tasks;
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** Ticks on {@code scheduler} (one that may block: progress lines print). */
  Ticker(Scheduler scheduler, List<Task> tasks) {
    this.scheduler = scheduler;
    this.tasks = List.copyOf(tasks);
  }

  /** Starts ticking if a task is active and no tick is scheduled; cheap, never blocks. */
  void wake() {
    if (active() && scheduled.compareAndSet(false, true)) {
      try {
        scheduler.schedule(this::tick, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        scheduled.set(false); // the runtime is closing
      }
    }
  }

  private boolean active() {
    for (Task t : tasks) {
      if (t.active().getAsBoolean()) {
        return true;
      }
    }
    return false;
  }

  private void tick() {
    for (Task t : tasks) {
      if (t.active().getAsBoolean()) {
        t.tick().run();
      }
    }
    scheduled.set(false);
    // A task that became active meanwhile either saw the flag set (and this schedules) or set it.
    wake();
  }
}
