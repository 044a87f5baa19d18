package dev.tributary.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * An executor's instances of stateful functions: made once, lent to one worker at a time, given
 * back when the worker retires, closed when their stage is no longer among those kept or the
 * executor exits.
 */
class ExecutorInstancesTest {
  private final AtomicInteger made = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();

  @Test
  void aRetiredWorkersInstanceServesTheNextTaskOfTheSameStage() throws Exception {
    String key = UUID.randomUUID().toString();
    Supplier<BlockTransform> shared = new ExecutorInstances.Shared(key, this::instance, null);

    BlockTransform first = shared.get();
    BlockTransform second = shared.get();
    assertThat(made).as("two workers at once: two instances").hasValue(2);
    ((AutoCloseable) first).close();
    ((AutoCloseable) second).close();
    assertThat(ExecutorInstances.idle(key)).isEqualTo(2);

    BlockTransform third = shared.get();
    assertThat(made).as("the next task's worker takes an idle one").hasValue(2);
    assertThat(closed).as("given back, not closed").hasValue(0);
    ((AutoCloseable) third).close();
  }

  @Test
  void theIdleInstancesOfAStageNoLongerKeptAreClosed() throws Exception {
    String oldest = UUID.randomUUID().toString();
    ((AutoCloseable) new ExecutorInstances.Shared(oldest, this::instance, null).get()).close();
    List<String> newer = new ArrayList<>();
    for (int i = 0; i < ExecutorInstances.KEPT_STAGES; i++) {
      newer.add(UUID.randomUUID().toString());
      ((AutoCloseable) new ExecutorInstances.Shared(newer.get(i), this::instance, null).get())
          .close();
    }

    assertThat(ExecutorInstances.idle(oldest)).isZero();
    assertThat(closed).hasValue(1);
    assertThat(newer).allSatisfy(k -> assertThat(ExecutorInstances.idle(k)).isEqualTo(1));
  }

  @Test
  void idleInstancesAreClosedWhenTheExecutorExits() throws Exception {
    String key = UUID.randomUUID().toString();
    Supplier<BlockTransform> shared = new ExecutorInstances.Shared(key, this::instance, null);
    BlockTransform first = shared.get();
    BlockTransform second = shared.get();
    ((AutoCloseable) first).close();
    ((AutoCloseable) second).close();

    // What the exit hook runs (the hook itself also closes instances given back later).
    ExecutorInstances.closeIdle();

    assertThat(closed).hasValue(2);
    assertThat(ExecutorInstances.idle(key)).isZero();
  }

  private BlockTransform instance() {
    made.incrementAndGet();
    return new Closing();
  }

  /** An instance that counts its closing. */
  private final class Closing implements BlockTransform, AutoCloseable {
    @Override
    public Block apply(Block input, Account out) {
      return input;
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }
}
