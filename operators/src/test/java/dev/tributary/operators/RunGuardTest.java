package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** A run's resources are freed exactly once, whoever ends it and whatever its scheduler's state. */
class RunGuardTest {
  @Test
  void aCloseWhileIdleFreesOnTheScheduler() throws Exception {
    Scheduler io = Schedulers.newSingle("guard-io");
    try {
      CountDownLatch freed = new CountDownLatch(1);
      AtomicInteger frees = new AtomicInteger();
      RunGuard guard = new RunGuard(() -> {
        frees.incrementAndGet();
        freed.countDown();
      }, io);
      guard.close();
      guard.close();
      assertThat(freed.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(frees).hasValue(1);
    } finally {
      io.dispose();
    }
  }

  @Test
  void aCloseAfterTheSchedulerWasDisposedStillFrees() {
    // An error reaches a test (or a service) before the operator's doFinally closes its run;
    // the runtime may have disposed its I/O scheduler meanwhile: the memory must come back.
    Scheduler io = Schedulers.newSingle("guard-io");
    io.disposeGracefully().block(Duration.ofSeconds(30));
    AtomicInteger frees = new AtomicInteger();
    RunGuard guard = new RunGuard(frees::incrementAndGet, io);
    guard.close();
    assertThat(frees).hasValue(1);
  }

  @Test
  void aCloseDuringAStepFreesAfterIt() {
    Scheduler io = Schedulers.newSingle("guard-io");
    try {
      AtomicInteger frees = new AtomicInteger();
      RunGuard guard = new RunGuard(frees::incrementAndGet, io);
      guard.step(() -> {
        guard.close();
        assertThat(frees).hasValue(0);
      }, null);
      assertThat(frees).hasValue(1);
      guard.step(() -> {
        throw new AssertionError("a closed run starts no step");
      }, null);
    } finally {
      io.dispose();
    }
  }
}
