package dev.tributary;

import dev.tributary.connectors.ReadSettings;
import dev.tributary.connectors.RetryPolicy;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

/**
 * The knobs of an execution, named after Ray Data's {@code DataContext} where they mean the same
 * thing. Immutable: each {@code with...} returns a copy.
 *
 * <p>{@link #current()} is the process default; override it per dataset with {@link
 * Dataset#withContext(DataContext)}, or per subscription of {@link Dataset#toFlux()} by putting a
 * context under {@link #CONTEXT_KEY} in the Reactor {@code Context}.
 */
public final class DataContext {
  /** The Reactor {@code Context} key that carries a per-execution {@code DataContext}. */
  public static final Class<DataContext> CONTEXT_KEY = DataContext.class;
  /** Ray Data's default target maximum block size: 128 MiB. */
  public static final long DEFAULT_TARGET_MAX_BLOCK_SIZE = 128 * Bytes.MiB;
  /** Ray Data's default target minimum block size: 1 MiB. */
  public static final long DEFAULT_TARGET_MIN_BLOCK_SIZE = Bytes.MiB;
  /**
   * Default memory limit as a fraction of the JVM's maximum memory (which is also its default
   * direct-memory limit), like Ray's 30% object-store default.
   */
  public static final double DEFAULT_MEMORY_FRACTION = 0.3;

  /** The largest share of the memory limit one block may take (see effectiveMaxBlockSize). */
  public static final double MEMORY_LIMIT_BLOCK_FRACTION = 1.0 / 32;

  /** Blocks each operator prefetches when the governor is off. */
  public static final int UNGOVERNED_PREFETCH_BLOCKS = 8;

  private static final Map<Long, Arena> SHARED_ARENAS = new ConcurrentHashMap<>();
  private static final Map<Integer, Scheduler> CPU_SCHEDULERS = new ConcurrentHashMap<>();
  private static volatile DataContext current = defaults();

  private final long targetMaxBlockSize;
  private final long targetMinBlockSize;
  private final long memoryLimit;
  private final int cpuLimit;
  private final boolean preserveOrder;
  private final boolean enableProgressBars;
  private final boolean operatorFusion;
  private final boolean governed;
  private final Arena arena;
  private final RetryPolicy ioRetry;
  private final int maxErroredBlocks;
  private final boolean optimizer;

  private DataContext(long targetMaxBlockSize, long targetMinBlockSize, long memoryLimit,
      int cpuLimit, boolean preserveOrder, boolean enableProgressBars, boolean operatorFusion,
      boolean governed, Arena arena, RetryPolicy ioRetry, int maxErroredBlocks,
      boolean optimizer) {
    this.targetMaxBlockSize = targetMaxBlockSize;
    this.targetMinBlockSize = targetMinBlockSize;
    this.memoryLimit = memoryLimit;
    this.cpuLimit = cpuLimit;
    this.preserveOrder = preserveOrder;
    this.enableProgressBars = enableProgressBars;
    this.operatorFusion = operatorFusion;
    this.governed = governed;
    this.arena = arena;
    this.ioRetry = ioRetry;
    this.maxErroredBlocks = maxErroredBlocks;
    this.optimizer = optimizer;
  }

  /** The documented defaults, independent of {@link #current()}. */
  public static DataContext defaults() {
    return new DataContext(DEFAULT_TARGET_MAX_BLOCK_SIZE, DEFAULT_TARGET_MIN_BLOCK_SIZE,
        (long) (Runtime.getRuntime().maxMemory() * DEFAULT_MEMORY_FRACTION),
        Runtime.getRuntime().availableProcessors(), true, false, true, true, null,
        RetryPolicy.none(), 0, true);
  }

  /** The process-wide default context. */
  public static DataContext current() {
    return current;
  }

  /** Replaces the process-wide default context. */
  public static void setCurrent(DataContext context) {
    current = Objects.requireNonNull(context, "context");
  }

  /** The context in a Reactor context view, or {@code fallback} when it carries none. */
  public static DataContext from(ContextView view, DataContext fallback) {
    return view.getOrDefault(CONTEXT_KEY, fallback);
  }

  /** Blocks larger than this are split by sources (bytes). */
  public long targetMaxBlockSize() {
    return targetMaxBlockSize;
  }

  /**
   * The block size sources and operators cut to: {@link #targetMaxBlockSize()}, but at most
   * {@link #MEMORY_LIMIT_BLOCK_FRACTION} of the memory limit, so every operator's budget holds
   * several blocks even under a small limit.
   */
  public long effectiveMaxBlockSize() {
    return Math.max(1, Math.min(targetMaxBlockSize,
        (long) (memoryLimit * MEMORY_LIMIT_BLOCK_FRACTION)));
  }

  /** Blocks smaller than this are coalesced where possible (bytes). */
  public long targetMinBlockSize() {
    return targetMinBlockSize;
  }

  /** The hard off-heap limit of the execution's arena (bytes). */
  public long memoryLimit() {
    return memoryLimit;
  }

  /** Threads of the {@code cpu} scheduler that runs user functions. */
  public int cpuLimit() {
    return cpuLimit;
  }

  /** Whether outputs keep input order (default true). */
  public boolean preserveOrder() {
    return preserveOrder;
  }

  /** Whether executions print progress (default false). */
  public boolean enableProgressBars() {
    return enableProgressBars;
  }

  /** Whether adjacent compatible one-to-one operators run as one stage (default true). */
  public boolean operatorFusion() {
    return operatorFusion;
  }

  /**
   * The arena executions charge: the one given with {@link #withArena(Arena)}, else one shared
   * by every context with the same memory limit, created on first use and kept for the life of
   * the process.
   */
  public Arena arena() {
    if (arena != null) {
      return arena;
    }
    return SHARED_ARENAS.computeIfAbsent(memoryLimit, limit -> Arena.create("tributary", limit));
  }

  /** The {@code cpu} scheduler: {@link #cpuLimit()} non-blocking threads, shared per size. */
  public Scheduler cpuScheduler() {
    return CPU_SCHEDULERS.computeIfAbsent(cpuLimit,
        n -> Schedulers.newParallel("tributary-cpu", n, true));
  }

  /**
   * The {@code io} scheduler sources run on (Reactor's bounded elastic): reads may block there,
   * and a source never competes with operators for a {@code cpu} thread.
   */
  public Scheduler ioScheduler() {
    return Schedulers.boundedElastic();
  }

  /** A copy with another target maximum block size. */
  public DataContext withTargetMaxBlockSize(long bytes) {
    positive("targetMaxBlockSize", bytes);
    return new DataContext(bytes, targetMinBlockSize, memoryLimit, cpuLimit, preserveOrder,
        enableProgressBars, operatorFusion, governed, arena, ioRetry, maxErroredBlocks, optimizer);
  }

  /** A copy with another target minimum block size. */
  public DataContext withTargetMinBlockSize(long bytes) {
    positive("targetMinBlockSize", bytes);
    return new DataContext(targetMaxBlockSize, bytes, memoryLimit, cpuLimit, preserveOrder,
        enableProgressBars, operatorFusion, governed, arena, ioRetry, maxErroredBlocks, optimizer);
  }

  /** A copy with another memory limit (uses the shared arena of that limit). */
  public DataContext withMemoryLimit(long bytes) {
    positive("memoryLimit", bytes);
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, bytes, cpuLimit, preserveOrder,
        enableProgressBars, operatorFusion, governed, null, ioRetry, maxErroredBlocks, optimizer);
  }

  /** A copy with another cpu limit. */
  public DataContext withCpuLimit(int threads) {
    positive("cpuLimit", threads);
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, threads,
        preserveOrder, enableProgressBars, operatorFusion, governed, arena, ioRetry,
        maxErroredBlocks, optimizer);
  }

  /** A copy that does or does not keep input order. */
  public DataContext withPreserveOrder(boolean preserve) {
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserve, enableProgressBars, operatorFusion, governed, arena, ioRetry,
        maxErroredBlocks, optimizer);
  }

  /** A copy with progress printing on or off. */
  public DataContext withProgressBars(boolean enable) {
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserveOrder, enable, operatorFusion, governed, arena, ioRetry,
        maxErroredBlocks, optimizer);
  }

  /** A copy with operator fusion on or off. */
  public DataContext withOperatorFusion(boolean fuse) {
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserveOrder, enableProgressBars, fuse, governed, arena, ioRetry,
        maxErroredBlocks, optimizer);
  }

  /**
   * A copy with the plan optimizer on (default) or off. Off, plans run as built: nothing is
   * pushed into reads (every column decoded, every row group read); results are the same, only
   * slower. For comparing and for ruling the optimizer out when a result looks wrong.
   */
  public DataContext withOptimizer(boolean on) {
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserveOrder, enableProgressBars, operatorFusion, governed, arena, ioRetry,
        maxErroredBlocks, on);
  }

  /**
   * Whether plans are optimized before they run (default true): filters, limits and projections
   * pushed into the reads that can take them.
   */
  public boolean optimizer() {
    return optimizer;
  }

  /** A copy that charges a given arena (its limit becomes the memory limit). */
  public DataContext withArena(Arena arena) {
    Objects.requireNonNull(arena, "arena");
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, arena.limitBytes(), cpuLimit,
        preserveOrder, enableProgressBars, operatorFusion, governed, arena, ioRetry,
        maxErroredBlocks, optimizer);
  }

  /**
   * A copy with the memory governor on (default) or off. Off, operators prefetch a fixed {@link
   * #UNGOVERNED_PREFETCH_BLOCKS} blocks whatever their size: the baseline governance is measured
   * against, not a setting for production.
   */
  public DataContext withGovernor(boolean on) {
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserveOrder, enableProgressBars, operatorFusion, on, arena, ioRetry,
        maxErroredBlocks, optimizer);
  }

  /**
   * A copy whose sources retry reads failing with an error of one of {@code types} (default:
   * none, since which errors are transient depends on the storage), with the backoff of {@link
   * #withIoRetryBackoff}. Only opening a file and reading a row group's bytes are retried.
   */
  @SafeVarargs
  public final DataContext withRetriedIoErrors(Class<? extends Throwable>... types) {
    Objects.requireNonNull(types, "types");
    for (int i = 0; i < types.length; i++) {
      Objects.requireNonNull(types[i], "types[" + i + "]");
    }
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserveOrder, enableProgressBars, operatorFusion, governed, arena,
        ioRetry.retrying(List.of(types)), maxErroredBlocks, optimizer);
  }

  /**
   * A copy retrying I/O errors up to {@code maxAttempts} attempts in all, with exponential,
   * jittered backoff from {@code first} to {@code max} between them (default 3 attempts, 100 ms
   * to 1 s). The waits are timers on the I/O scheduler, never a parked thread.
   */
  public DataContext withIoRetryBackoff(int maxAttempts, Duration first, Duration max) {
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserveOrder, enableProgressBars, operatorFusion, governed, arena,
        ioRetry.backoff(maxAttempts, first, max), maxErroredBlocks, optimizer);
  }

  /** Which read errors sources retry, and how (default: none). */
  public RetryPolicy ioRetry() {
    return ioRetry;
  }

  /**
   * A copy whose sources skip up to {@code n} blocks they cannot read (a Parquet row group, or a
   * file whose footer is unreadable), logging each and listing it in the source's stats, and
   * fail with the typed error at the next (Ray Data's {@code max_errored_blocks}; default 0).
   */
  public DataContext withMaxErroredBlocks(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxErroredBlocks must be >= 0, was " + n);
    }
    return new DataContext(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserveOrder, enableProgressBars, operatorFusion, governed, arena, ioRetry, n, optimizer);
  }

  /** How many unreadable blocks sources skip before failing (default 0). */
  public int maxErroredBlocks() {
    return maxErroredBlocks;
  }

  /** The read settings sources get from this context. */
  ReadSettings readSettings() {
    return new ReadSettings(effectiveMaxBlockSize(), preserveOrder, ioRetry, maxErroredBlocks,
        ioScheduler());
  }

  /** Whether demand is governed by memory (default true). */
  public boolean governed() {
    return governed;
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  @Override
  public String toString() {
    return "DataContext[targetMaxBlockSize=" + Bytes.format(targetMaxBlockSize)
        + ", targetMinBlockSize=" + Bytes.format(targetMinBlockSize)
        + ", memoryLimit=" + Bytes.format(memoryLimit) + ", cpuLimit=" + cpuLimit
        + ", preserveOrder=" + preserveOrder + ", operatorFusion=" + operatorFusion
        + ", governed=" + governed + ", optimizer=" + optimizer + ", ioRetry=" + ioRetry
        + ", maxErroredBlocks=" + maxErroredBlocks + "]";
  }
}
