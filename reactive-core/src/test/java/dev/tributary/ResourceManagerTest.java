package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/** How the resource manager admits executions and divides the arena's memory among them. */
class ResourceManagerTest {
  private static final long MiB = Bytes.MiB;
  private final Arena arena = Arena.create("planner", 100 * MiB);
  private final Account source = arena.openAccount("source");
  private final Account first = arena.openAccount("first");
  private final Account second = arena.openAccount("second");
  private final OperatorStats firstStats = new OperatorStats("first");
  private final OperatorStats secondStats = new OperatorStats("second");
  private final ResourceManager.Running runtime = new ResourceManager.Running(arena, () -> { });
  private final ResourceManager manager = new ResourceManager(runtime, arena.limitBytes());
  private final List<ResourceManager> managers = new ArrayList<>(List.of(manager));
  private final List<Block> held = new ArrayList<>();

  @AfterEach
  void close() {
    held.forEach(Block::close);
    managers.forEach(ResourceManager::stop);
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

  /**
   * An execution needing {@code minimum} whose operators emitted {@code blocks} so far, held by
   * its consumer.
   */
  private ResourceManager execution(long minimum, AtomicLong blocks) {
    ResourceManager m = new ResourceManager(runtime, arena.limitBytes());
    m.minimum(minimum, blocks::get, () -> true);
    managers.add(m);
    return m;
  }

  /** Subscribes to {@code m}'s admission; {@code started} turns true once it is admitted. */
  private static Disposable admit(ResourceManager m, AtomicBoolean started) {
    return m.admission(Schedulers.immediate(), () -> { }, () -> { })
        .subscribe(null, null, () -> started.set(true));
  }

  /** Holds {@code bytes} in a block of {@code account}, released after the test. */
  private void hold(Account account, long bytes) {
    VectorSchemaRoot root = VectorSchemaRoot.create(new org.apache.arrow.vector.types.pojo.Schema(
        List.of(org.apache.arrow.vector.types.pojo.Field.nullable("x",
            new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true)))),
        account.allocator());
    ((BigIntVector) root.getVector(0)).allocateNew((int) (bytes / 8));
    root.setRowCount((int) (bytes / 8));
    held.add(Block.wrap(root, account));
  }

  @Test
  void sharesAreReservedEvenlyAndThePoolGoesToTheFirstStageBeforeAnyIsMeasured() {
    manager.governSource(source, 0);
    manager.govern(first, firstStats, 0);
    manager.govern(second, secondStats, 0);
    manager.admission(Schedulers.immediate(), () -> { }, () -> { }).block();
    long share = (long) (100 * MiB * (1 - ResourceManager.SAFETY_FRACTION));
    long reserved = (long) (share * ResourceManager.RESERVED_FRACTION / 3);
    assertThat(source.budgetBytes()).isEqualTo(reserved);
    assertThat(second.budgetBytes()).isEqualTo(reserved);
    assertThat(first.budgetBytes()).isEqualTo(share - 2 * reserved);
  }

  @Test
  void everyOperatorGetsAtLeastItsMinimumWhateverTheShare() {
    manager.minimum(30 * MiB, () -> 0, () -> true);
    manager.governSource(source, 10 * MiB);
    manager.govern(first, firstStats, 10 * MiB);
    manager.govern(second, secondStats, 10 * MiB);
    manager.admission(Schedulers.immediate(), () -> { }, () -> { }).block();
    ResourceManager other = execution(60 * MiB, new AtomicLong());
    other.admission(Schedulers.immediate(), () -> { }, () -> { }).block();
    // The arena's 90 budgeted MiB are exactly both minimums: each operator has its own.
    assertThat(source.budgetBytes()).isEqualTo(10 * MiB);
    assertThat(first.budgetBytes()).isEqualTo(10 * MiB);
    assertThat(second.budgetBytes()).isEqualTo(10 * MiB);
  }

  @Test
  void thePoolFollowsTheBusiestStageNowNotTheOneBusiestSoFar() {
    manager.governSource(source, 0);
    manager.govern(first, firstStats, 0);
    manager.govern(second, secondStats, 0);
    manager.admission(Schedulers.immediate(), () -> { }, () -> { }).block();
    busy(firstStats, 200);
    runtime.sampleAll();
    assertThat(first.budgetBytes()).isGreaterThan(second.budgetBytes());
    for (int i = 0; i < 4; i++) {
      busy(secondStats, 10);
      runtime.sampleAll();
    }
    assertThat(secondStats.userNanos()).as("less time so far")
        .isLessThan(firstStats.userNanos());
    assertThat(second.budgetBytes()).as("but busy now").isGreaterThan(first.budgetBytes());
  }

  @Test
  void anExecutionWhoseMinimumDoesNotFitWaitsFirstInFirstOutAndStartsWhenOneEnds() {
    AtomicLong moving = new AtomicLong();
    ResourceManager a = execution(50 * MiB, moving);
    ResourceManager b = execution(50 * MiB, moving);
    ResourceManager c = execution(10 * MiB, moving);
    AtomicBoolean aStarted = new AtomicBoolean();
    AtomicBoolean bStarted = new AtomicBoolean();
    AtomicBoolean cStarted = new AtomicBoolean();
    admit(a, aStarted);
    admit(b, bStarted);
    admit(c, cStarted);
    assertThat(aStarted).isTrue();
    // 50 + 50 MiB exceed the 90 budgeted; c would fit but comes after b.
    assertThat(bStarted).isFalse();
    assertThat(cStarted).isFalse();
    assertThat(b.queued()).isTrue();
    assertThat(runtime.queued()).isEqualTo(2);
    a.stop();
    assertThat(bStarted).isTrue();
    assertThat(cStarted).isTrue();
    assertThat(b.queued()).isFalse();
    assertThat(b.queuedNanos()).isPositive();
    assertThat(a.queuedNanos()).isZero();
    assertThat(runtime.queued()).isZero();
  }

  @Test
  void theHeadOfTheQueueShrinksTheRunningBudgetsAndStartsWhenTheirMemoryCameDown() {
    AtomicLong moving = new AtomicLong();
    manager.minimum(10 * MiB, moving::get, () -> true);
    manager.govern(first, firstStats, 10 * MiB);
    AtomicBoolean aStarted = new AtomicBoolean();
    admit(manager, aStarted);
    assertThat(first.budgetBytes()).isEqualTo(90 * MiB);
    hold(first, 92 * MiB);
    ResourceManager b = execution(10 * MiB, moving);
    AtomicBoolean bStarted = new AtomicBoolean();
    admit(b, bStarted);
    // The minimums fit, the memory does not: b is counted in the budgets and waits.
    assertThat(bStarted).isFalse();
    assertThat(first.budgetBytes()).isEqualTo(10 * MiB + 70 * MiB / 2);
    moving.incrementAndGet();
    runtime.sampleAll();
    assertThat(bStarted).as("memory has not come down").isFalse();
    held.remove(0).close();
    moving.incrementAndGet();
    runtime.sampleAll();
    assertThat(bStarted).isTrue();
  }

  @Test
  void aHeadWaitingOnExecutionsThatDoNotMoveStartsAfterTheStallTicks() {
    AtomicLong still = new AtomicLong();
    ResourceManager a = execution(80 * MiB, still);
    ResourceManager b = execution(50 * MiB, still);
    AtomicBoolean bStarted = new AtomicBoolean();
    admit(a, new AtomicBoolean());
    admit(b, bStarted);
    // The first tick only notes how far they got; then STALL_TICKS ticks with no block.
    for (int i = 0; i <= ResourceManager.STALL_TICKS; i++) {
      assertThat(bStarted).as("tick " + i).isFalse();
      runtime.sampleAll();
    }
    assertThat(bStarted).isTrue();
  }

  @Test
  void aHeadWaitingOnExecutionsThatWorkOrWaitForTheirInputNeverStartsEarly() {
    ResourceManager a = new ResourceManager(runtime, arena.limitBytes());
    managers.add(a);
    a.minimum(80 * MiB, () -> 0, () -> false);
    ResourceManager b = execution(50 * MiB, new AtomicLong());
    AtomicBoolean bStarted = new AtomicBoolean();
    admit(a, new AtomicBoolean());
    admit(b, bStarted);
    for (int i = 0; i <= 3 * ResourceManager.STALL_TICKS; i++) {
      runtime.sampleAll();
    }
    assertThat(bStarted).isFalse();
    a.stop();
    assertThat(bStarted).isTrue();
  }

  @Test
  void cancellingWhileQueuedLeavesTheQueueAndTheNextStarts() {
    AtomicLong moving = new AtomicLong();
    ResourceManager a = execution(60 * MiB, moving);
    ResourceManager b = execution(60 * MiB, moving);
    ResourceManager c = execution(20 * MiB, moving);
    AtomicInteger ended = new AtomicInteger();
    admit(a, new AtomicBoolean());
    AtomicBoolean bStarted = new AtomicBoolean();
    Disposable waiting = b.admission(Schedulers.immediate(), () -> { }, ended::incrementAndGet)
        .subscribe(null, null, () -> bStarted.set(true));
    AtomicBoolean cStarted = new AtomicBoolean();
    admit(c, cStarted);
    assertThat(cStarted).as("behind b").isFalse();
    waiting.dispose();
    b.stop();
    assertThat(ended).hasValue(1);
    assertThat(cStarted).isTrue();
    assertThat(bStarted).isFalse();
    assertThat(b.queued()).isFalse();
    assertThat(runtime.queued()).isZero();
  }
}
