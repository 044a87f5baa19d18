package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorStats;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the resource manager divides an execution's memory. */
class ResourceManagerTest {
  private final Arena arena = Arena.create("planner", 100 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Account first = arena.openAccount("first");
  private final Account second = arena.openAccount("second");
  private final OperatorStats firstStats = new OperatorStats("first");
  private final OperatorStats secondStats = new OperatorStats("second");
  private final ResourceManager manager = new ResourceManager(new ResourceManager.Running(() -> { }), arena, arena.limitBytes());

  @AfterEach
  void close() {
    manager.stop();
    arena.close();
  }

  /** Spends about {@code millis} ms of wall time in a user function of {@code stats}. */
  private static void busy(OperatorStats stats, long millis) {
    stats.timeUser(() -> {
      long end = System.nanoTime() + millis * 1_000_000;
      while (System.nanoTime() < end) {
        LockSupport.parkNanos(100_000);
      }
      return null;
    });
  }

  @Test
  void sharesAreReservedEvenlyAndThePoolGoesToTheFirstStageBeforeAnyIsMeasured() {
    manager.governSource(source);
    manager.govern(first, firstStats);
    manager.govern(second, secondStats);
    manager.start();
    long share = (long) (100 * Bytes.MiB * (1 - ResourceManager.SAFETY_FRACTION));
    long reserved = (long) (share * ResourceManager.RESERVED_FRACTION / 3);
    assertThat(source.budgetBytes()).isEqualTo(reserved);
    assertThat(second.budgetBytes()).isEqualTo(reserved);
    assertThat(first.budgetBytes()).isEqualTo(share - 2 * reserved);
  }

  @Test
  void thePoolFollowsTheBusiestStageNowNotTheOneBusiestSoFar() {
    manager.governSource(source);
    manager.govern(first, firstStats);
    manager.govern(second, secondStats);
    manager.start();
    busy(firstStats, 60);
    manager.sampleAndRebalance();
    assertThat(first.budgetBytes()).isGreaterThan(second.budgetBytes());
    for (int i = 0; i < 4; i++) {
      busy(secondStats, 10);
      manager.sampleAndRebalance();
    }
    assertThat(secondStats.userNanos()).as("less time so far")
        .isLessThan(firstStats.userNanos());
    assertThat(second.budgetBytes()).as("but busy now").isGreaterThan(first.budgetBytes());
  }
}
