package dev.tributary;

/**
 * Where {@link Dataset#materialize(StorageLevel)} keeps the computed blocks (Spark's names).
 */
public enum StorageLevel {
  /**
   * In memory only, up to three quarters of the memory limit; data that does not fit fails the
   * materialization with {@link dev.tributary.operators.exchange.InsufficientMemoryException},
   * which names the shortfall.
   */
  MEMORY_ONLY(0.75),
  /**
   * In memory up to half of the memory limit, the rest spilled to disk ({@link
   * DataContext#spill()}) and restored block by block when read: the default.
   */
  MEMORY_AND_DISK(0.5),
  /** Every block on disk; reads restore them block by block. */
  DISK_ONLY(0);

  private final double memoryShare;

  StorageLevel(double memoryShare) {
    this.memoryShare = memoryShare;
  }

  /** The share of the memory limit the blocks may hold in memory. */
  double memoryShare() {
    return memoryShare;
  }
}
