package dev.tributary.spark;

/** What an executor's JVM needs before Tributary's first allocator there. */
final class ExecutorSetup {
  /** Arrow's allocation-manager property. */
  static final String ALLOCATION_MANAGER = "arrow.allocation.manager.type";

  private ExecutorSetup() {}

  /**
   * Names Arrow's allocation manager: Arrow otherwise guesses it from class-file URLs, which fails
   * in Spark's job class loaders ("Unknown allocation manager type"). Tributary ships only
   * {@code arrow-memory-unsafe}.
   */
  static void arrow() {
    if (System.getProperty(ALLOCATION_MANAGER) == null) {
      System.setProperty(ALLOCATION_MANAGER, "Unsafe");
    }
  }
}
