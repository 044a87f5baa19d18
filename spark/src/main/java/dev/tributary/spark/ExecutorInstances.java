package dev.tributary.spark;

import dev.tributary.operators.BlockTransform;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of stateful batch functions an executor keeps between tasks: a pool's worker
 * takes an idle instance of its stage (made once per executor, not once per task: a model loaded
 * once) and gives it back when it retires. Kept for the {@link #KEPT_STAGES} stages used last;
 * the idle instances of an older one are closed, and all of them when the executor exits.
 */
final class ExecutorInstances {
  /** Stages whose idle instances an executor keeps. */
  static final int KEPT_STAGES = 8;

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorInstances.class);

  /** Idle instances by stage key, the stage used last at the end. */
  private static final LinkedHashMap<String, ArrayDeque<BlockTransform>> IDLE =
      new LinkedHashMap<>(16, 0.75f, true);

  /** Whether the exit hook is registered (on the first instance kept). */
  private static boolean hooked;
  /** Whether the JVM is exiting: instances given back are closed, not kept. */
  private static boolean exiting;

  private ExecutorInstances() {}

  /** An idle instance of stage {@code key}, or a new one from {@code factory}. */
  static BlockTransform take(String key, Supplier<? extends BlockTransform> factory) {
    synchronized (IDLE) {
      ArrayDeque<BlockTransform> idle = IDLE.get(key);
      if (idle != null && !idle.isEmpty()) {
        return idle.poll();
      }
    }
    return factory.get(); // made outside the lock: loading a model may take long
  }

  /** Keeps {@code instance} of stage {@code key} for the next worker. */
  static void giveBack(String key, BlockTransform instance) {
    List<BlockTransform> evicted = new ArrayList<>();
    synchronized (IDLE) {
      if (exiting) {
        evicted.add(instance);
      } else {
        keep(key, instance, evicted);
      }
    }
    evicted.forEach(ExecutorInstances::close);
  }

  /** Keeps {@code instance}, evicting the oldest stages' beyond those kept; holds the lock. */
  private static void keep(String key, BlockTransform instance, List<BlockTransform> evicted) {
    if (!hooked) {
      hooked = true;
      Runtime.getRuntime().addShutdownHook(new Thread(ExecutorInstances::shutdown,
          "tributary-executor-instances"));
    }
    IDLE.computeIfAbsent(key, k -> new ArrayDeque<>()).add(instance);
    Iterator<Map.Entry<String, ArrayDeque<BlockTransform>>> oldest = IDLE.entrySet().iterator();
    while (IDLE.size() > KEPT_STAGES) {
      evicted.addAll(oldest.next().getValue());
      oldest.remove();
    }
  }

  /** The idle instances of stage {@code key} (for tests). */
  static int idle(String key) {
    synchronized (IDLE) {
      ArrayDeque<BlockTransform> idle = IDLE.get(key);
      return idle == null ? 0 : idle.size();
    }
  }

  private static void close(BlockTransform instance) {
    if (instance instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("closing an idle batch function instance failed", e);
      }
    }
  }

  /**
   * Closes every idle instance, once the executor's JVM exits (a shutdown hook: Spark's
   * executors exit through {@code System.exit}); instances lent to a worker then are closed as
   * it gives them back.
   */
  private static void shutdown() {
    synchronized (IDLE) {
      exiting = true;
    }
    closeIdle();
  }

  /** Closes every idle instance now. */
  static void closeIdle() {
    List<BlockTransform> idle = new ArrayList<>();
    synchronized (IDLE) {
      IDLE.values().forEach(idle::addAll);
      IDLE.clear();
    }
    idle.forEach(ExecutorInstances::close);
  }

  /**
   * The instances a task's pool uses for stage {@code key}: taken from the executor's and given
   * back when a worker retires ({@link Lent#close}); made and called with {@code task} as the
   * thread's task context. Made in the task, never serialized.
   *
   * @param key the stage's key (the same definition in any job, any task)
   * @param factory makes a new instance when none is idle
   * @param task the task whose pool uses them, or null
   */
  record Shared(String key, Supplier<? extends BlockTransform> factory, TaskContext task)
      implements Supplier<BlockTransform> {
    @Override
    public BlockTransform get() {
      return new Lent(key, take(key, () -> InTask.within(task, factory::get)), task);
    }
  }

  /** An executor's instance lent to one worker of a task's pool. */
  private record Lent(String key, BlockTransform instance, TaskContext task)
      implements BlockTransform, AutoCloseable {
    @Override
    public dev.tributary.memory.Block apply(dev.tributary.memory.Block input,
        dev.tributary.memory.Account out) {
      return InTask.within(task, () -> instance.apply(input, out));
    }

    /** Gives the instance back to the executor instead of closing it. */
    @Override
    public void close() {
      giveBack(key, instance);
    }
  }
}
