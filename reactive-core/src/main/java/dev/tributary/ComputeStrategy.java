package dev.tributary;

/**
 * How {@link Dataset#mapBatches} runs its function ({@link MapBatchesOptions#withCompute}).
 *
 * <ul>
 *   <li>{@link #tasks(int)}: a stateless function, called by up to {@code concurrency} tasks at
 *       once on the runtime's {@code cpu} scheduler (1: inline). One function object serves every
 *       task, so it must be thread-safe: for pure functions of the batch.
 *   <li>{@link #pool(int, int)}: a stateful function given as a factory: a pool of {@code min} to
 *       {@code max} workers, each with its own instance made once and reused, never called from
 *       two threads at once, closed (if {@link AutoCloseable}) at the end, on cancel and on
 *       error. For models, clients, anything expensive to build or not thread-safe. The pool
 *       grows while its input queue stays full and shrinks when idle (the policy:
 *       {@link dev.tributary.operators.WorkerPool}).
 * </ul>
 *
 * Both are capped at the context's {@link DataContext#cpuLimit()}.
 */
public sealed interface ComputeStrategy permits ComputeStrategy.Tasks, ComputeStrategy.Pool {
  /** Stateless tasks, up to {@code concurrency} at once. */
  static ComputeStrategy tasks(int concurrency) {
    return new Tasks(concurrency);
  }

  /** A pool of {@code min} to {@code max} workers, each with its own instance. */
  static ComputeStrategy pool(int min, int max) {
    return new Pool(min, max);
  }

  /** A pool of exactly {@code size} workers. */
  static ComputeStrategy pool(int size) {
    return new Pool(size, size);
  }

  /**
   * Stateless tasks.
   *
   * @param concurrency calls at once (1: inline)
   */
  record Tasks(int concurrency) implements ComputeStrategy {
    /** Checks the argument. */
    public Tasks {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
      }
    }
  }

  /**
   * A worker pool.
   *
   * @param min workers it keeps once started
   * @param max workers it grows to
   */
  record Pool(int min, int max) implements ComputeStrategy {
    /** Checks the arguments. */
    public Pool {
      if (min < 1 || max < min) {
        throw new IllegalArgumentException("a pool needs 1 <= min <= max, was min " + min
            + ", max " + max);
      }
    }
  }
}
