package dev.tributary;

import dev.tributary.connectors.ReadSettings;
import dev.tributary.connectors.RetryPolicy;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.exchange.SpillSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.ContextView;

/**
 * The knobs of an execution, named after Ray Data's {@code DataContext} where they mean the same
 * thing: a plain immutable value (no arenas, no schedulers: those belong to the {@link
 * TributaryRuntime} an execution runs in). Build one with {@link #builder()}; each {@code
 * with...} returns a changed copy.
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

  private static volatile DataContext current = defaults();

  private final long targetMaxBlockSize;
  private final long targetMinBlockSize;
  private final long memoryLimit;
  private final int cpuLimit;
  private final boolean preserveOrder;
  private final boolean enableProgressBars;
  private final boolean operatorFusion;
  private final boolean governed;
  private final RetryPolicy ioRetry;
  private final int maxErroredBlocks;
  private final boolean optimizer;
  private final boolean vectorizedParquet;
  private final SpillSettings spill;

  private DataContext(Builder b) {
    this.targetMaxBlockSize = b.targetMaxBlockSize;
    this.targetMinBlockSize = b.targetMinBlockSize;
    this.memoryLimit = b.memoryLimit;
    this.cpuLimit = b.cpuLimit;
    this.preserveOrder = b.preserveOrder;
    this.enableProgressBars = b.enableProgressBars;
    this.operatorFusion = b.operatorFusion;
    this.governed = b.governed;
    this.ioRetry = b.ioRetry;
    this.maxErroredBlocks = b.maxErroredBlocks;
    this.optimizer = b.optimizer;
    this.vectorizedParquet = b.vectorizedParquet;
    this.spill = b.spill;
  }

  /** A builder starting from the documented defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this context. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The documented defaults, independent of {@link #current()}. */
  public static DataContext defaults() {
    return builder().build();
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

  /**
   * The most off-heap memory one execution may hold (bytes): its cap within its runtime's arena,
   * which bounds all executions together; an execution gets the smaller of the two.
   */
  public long memoryLimit() {
    return memoryLimit;
  }

  /** The most user-function tasks one stage of an execution runs at once (default: cores). */
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

  /**
   * Whether adjacent compatible one-to-one operators run as one stage, and a global count, sum,
   * min, max or mean straight over a Parquet read is computed by the read from its pages
   * (default true).
   */
  public boolean operatorFusion() {
    return operatorFusion;
  }

  /** Whether demand is governed by memory (default true). */
  public boolean governed() {
    return governed;
  }

  /** Which read errors sources retry, and how (default: none). */
  public RetryPolicy ioRetry() {
    return ioRetry;
  }

  /** How many unreadable blocks sources skip before failing (default 0). */
  public int maxErroredBlocks() {
    return maxErroredBlocks;
  }

  /**
   * Whether plans are optimized before they run (default true): filters, limits and projections
   * pushed into the reads that can take them.
   */
  public boolean optimizer() {
    return optimizer;
  }

  /**
   * Whether Parquet's flat columns are decoded page by page straight into Arrow vectors (default
   * true), or all through parquet-mr's value-at-a-time column reader; see {@link
   * Builder#vectorizedParquet}.
   */
  public boolean vectorizedParquet() {
    return vectorizedParquet;
  }

  /**
   * Where every operator that outgrows its budget (sort, shuffle, repartition, materialize,
   * aggregations, joins) spills, each run to a file of its own, deleted when it ends: {@link
   * #spill()}'s directory.
   */
  public Path spillDirectory() {
    return spill.directory();
  }

  /** A copy spilling into {@code directory}; see {@link #spillDirectory()}. */
  public DataContext withSpillDirectory(Path directory) {
    return toBuilder().spillDirectory(directory).build();
  }

  /** A copy with another target maximum block size. */
  public DataContext withTargetMaxBlockSize(long bytes) {
    return toBuilder().targetMaxBlockSize(bytes).build();
  }

  /** A copy with another target minimum block size. */
  public DataContext withTargetMinBlockSize(long bytes) {
    return toBuilder().targetMinBlockSize(bytes).build();
  }

  /** A copy with another memory limit (capped by the runtime's, see {@link #memoryLimit()}). */
  public DataContext withMemoryLimit(long bytes) {
    return toBuilder().memoryLimit(bytes).build();
  }

  /** A copy with another cpu limit. */
  public DataContext withCpuLimit(int tasks) {
    return toBuilder().cpuLimit(tasks).build();
  }

  /** A copy that does or does not keep input order. */
  public DataContext withPreserveOrder(boolean preserve) {
    return toBuilder().preserveOrder(preserve).build();
  }

  /** A copy with progress printing on or off. */
  public DataContext withProgressBars(boolean enable) {
    return toBuilder().enableProgressBars(enable).build();
  }

  /** A copy with operator fusion on or off. */
  public DataContext withOperatorFusion(boolean fuse) {
    return toBuilder().operatorFusion(fuse).build();
  }

  /** A copy with the memory governor on (default) or off; see {@link Builder#governed}. */
  public DataContext withGovernor(boolean on) {
    return toBuilder().governed(on).build();
  }

  /** A copy retrying read errors of these types; see {@link Builder#retriedIoErrors}. */
  @SafeVarargs
  public final DataContext withRetriedIoErrors(Class<? extends Throwable>... types) {
    return toBuilder().retriedIoErrors(types).build();
  }

  /** A copy with another retry backoff; see {@link Builder#ioRetryBackoff}. */
  public DataContext withIoRetryBackoff(int maxAttempts, Duration first, Duration max) {
    return toBuilder().ioRetryBackoff(maxAttempts, first, max).build();
  }

  /** A copy skipping up to {@code n} unreadable blocks; see {@link Builder#maxErroredBlocks}. */
  public DataContext withMaxErroredBlocks(int n) {
    return toBuilder().maxErroredBlocks(n).build();
  }

  /** A copy with the plan optimizer on (default) or off; see {@link Builder#optimizer}. */
  public DataContext withOptimizer(boolean on) {
    return toBuilder().optimizer(on).build();
  }

  /**
   * A copy with the vectorized Parquet decoder on (default) or off; see {@link
   * Builder#vectorizedParquet}.
   */
  public DataContext withVectorizedParquet(boolean on) {
    return toBuilder().vectorizedParquet(on).build();
  }

  /**
   * Where pipeline breaks (sort, shuffle, repartition, materialize) spill what does not fit their
   * share of the memory limit, and how much each may keep on disk ({@link
   * SpillSettings#defaults()}: {@code tributary-spill} under {@code java.io.tmpdir}, or the
   * {@code tributary.spill.dir} system property).
   */
  public SpillSettings spill() {
    return spill;
  }

  /** A copy with other spill settings; see {@link #spill()}. */
  public DataContext withSpill(SpillSettings spill) {
    return toBuilder().spill(spill).build();
  }

  /** The read settings sources get from this context, reading on {@code io}. */
  ReadSettings readSettings(Scheduler io) {
    return new ReadSettings(effectiveMaxBlockSize(), preserveOrder, ioRetry, maxErroredBlocks, io)
        .withVectorizedParquet(vectorizedParquet);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataContext c && targetMaxBlockSize == c.targetMaxBlockSize
        && targetMinBlockSize == c.targetMinBlockSize && memoryLimit == c.memoryLimit
        && cpuLimit == c.cpuLimit && preserveOrder == c.preserveOrder
        && enableProgressBars == c.enableProgressBars && operatorFusion == c.operatorFusion
        && governed == c.governed && ioRetry.equals(c.ioRetry)
        && maxErroredBlocks == c.maxErroredBlocks && optimizer == c.optimizer
        && vectorizedParquet == c.vectorizedParquet && spill.equals(c.spill);
  }

  @Override
  public int hashCode() {
    return Objects.hash(targetMaxBlockSize, targetMinBlockSize, memoryLimit, cpuLimit,
        preserveOrder, enableProgressBars, operatorFusion, governed, ioRetry, maxErroredBlocks,
        optimizer, vectorizedParquet, spill);
  }

  @Override
  public String toString() {
    return "DataContext[targetMaxBlockSize=" + Bytes.format(targetMaxBlockSize)
        + ", targetMinBlockSize=" + Bytes.format(targetMinBlockSize)
        + ", memoryLimit=" + Bytes.format(memoryLimit) + ", cpuLimit=" + cpuLimit
        + ", preserveOrder=" + preserveOrder + ", operatorFusion=" + operatorFusion
        + ", governed=" + governed + ", optimizer=" + optimizer + ", ioRetry=" + ioRetry
        + ", maxErroredBlocks=" + maxErroredBlocks + ", vectorizedParquet=" + vectorizedParquet
        + ", spill=" + spill + "]";
  }

  /** Builds a {@link DataContext}; every setter checks its argument and names it. */
  public static final class Builder {
    private long targetMaxBlockSize = DEFAULT_TARGET_MAX_BLOCK_SIZE;
    private long targetMinBlockSize = DEFAULT_TARGET_MIN_BLOCK_SIZE;
    private long memoryLimit = (long) (Runtime.getRuntime().maxMemory() * DEFAULT_MEMORY_FRACTION);
    private int cpuLimit = Runtime.getRuntime().availableProcessors();
    private boolean preserveOrder = true;
    private boolean enableProgressBars;
    private boolean operatorFusion = true;
    private boolean governed = true;
    private RetryPolicy ioRetry = RetryPolicy.none();
    private int maxErroredBlocks;
    private boolean optimizer = true;
    private boolean vectorizedParquet = true;
    private SpillSettings spill = SpillSettings.defaults();

    private Builder() {}

    private Builder(DataContext c) {
      targetMaxBlockSize = c.targetMaxBlockSize;
      targetMinBlockSize = c.targetMinBlockSize;
      memoryLimit = c.memoryLimit;
      cpuLimit = c.cpuLimit;
      preserveOrder = c.preserveOrder;
      enableProgressBars = c.enableProgressBars;
      operatorFusion = c.operatorFusion;
      governed = c.governed;
      ioRetry = c.ioRetry;
      maxErroredBlocks = c.maxErroredBlocks;
      optimizer = c.optimizer;
      vectorizedParquet = c.vectorizedParquet;
      spill = c.spill;
    }

    /** Where and how much pipeline breaks spill; see {@link DataContext#spill()}. */
    public Builder spill(SpillSettings settings) {
      spill = Objects.requireNonNull(settings, "spill");
      return this;
    }

    /** Blocks larger than this are split by sources (default 128 MiB). */
    public Builder targetMaxBlockSize(long bytes) {
      targetMaxBlockSize = positive("targetMaxBlockSize", bytes);
      return this;
    }

    /** Blocks smaller than this are coalesced where possible (default 1 MiB). */
    public Builder targetMinBlockSize(long bytes) {
      targetMinBlockSize = positive("targetMinBlockSize", bytes);
      return this;
    }

    /** The most one execution may hold (default 30% of the JVM's maximum memory). */
    public Builder memoryLimit(long bytes) {
      memoryLimit = positive("memoryLimit", bytes);
      return this;
    }

    /** The most user-function tasks one stage runs at once (default: available cores). */
    public Builder cpuLimit(int tasks) {
      cpuLimit = (int) positive("cpuLimit", tasks);
      return this;
    }

    /** Whether outputs keep input order (default true). */
    public Builder preserveOrder(boolean preserve) {
      preserveOrder = preserve;
      return this;
    }

    /** Whether executions print progress lines (default false). */
    public Builder enableProgressBars(boolean enable) {
      enableProgressBars = enable;
      return this;
    }

    /**
     * Whether adjacent compatible one-to-one operators run as one stage, and a global count,
     * sum, min, max or mean straight over a Parquet read is computed by the read from its pages
     * (default true).
     */
    public Builder operatorFusion(boolean fuse) {
      operatorFusion = fuse;
      return this;
    }

    /**
     * The memory governor on (default) or off. Off, operators prefetch a fixed {@link
     * #UNGOVERNED_PREFETCH_BLOCKS} blocks whatever their size: the baseline governance is measured
     * against, not a setting for production.
     */
    public Builder governed(boolean on) {
      governed = on;
      return this;
    }

    /**
     * Sources retry reads failing with an error of one of {@code types} (default: none, since
     * which errors are transient depends on the storage), with the backoff of {@link
     * #ioRetryBackoff}. Only opening a file and reading a row group's bytes are retried.
     */
    @SafeVarargs
    public final Builder retriedIoErrors(Class<? extends Throwable>... types) {
      Objects.requireNonNull(types, "types");
      for (int i = 0; i < types.length; i++) {
        Objects.requireNonNull(types[i], "types[" + i + "]");
      }
      ioRetry = ioRetry.retrying(List.of(types));
      return this;
    }

    /**
     * Retried I/O errors get up to {@code maxAttempts} attempts in all, with exponential,
     * jittered backoff from {@code first} to {@code max} between them (default 3 attempts, 100 ms
     * to 1 s). The waits are timers on the I/O scheduler, never a parked thread.
     */
    public Builder ioRetryBackoff(int maxAttempts, Duration first, Duration max) {
      ioRetry = ioRetry.backoff(maxAttempts, first, max);
      return this;
    }

    /**
     * Sources skip up to {@code n} blocks they cannot read (a Parquet row group, or a file whose
     * footer is unreadable), logging each and listing it in the source's stats, and fail with
     * the typed error at the next (Ray Data's {@code max_errored_blocks}; default 0). User
     * functions too: an execution's {@code map}/{@code filter}/{@code mapBatches} stages drop up
     * to {@code n} blocks their function fails on (after any retries), each logged with its
     * operator and block, and fail with {@link dev.tributary.operators.UserFunctionException} at
     * the next; memory-limit and JVM errors always fail.
     */
    public Builder maxErroredBlocks(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxErroredBlocks must be >= 0, was " + n);
      }
      maxErroredBlocks = n;
      return this;
    }

    /**
     * The plan optimizer on (default) or off. Off, plans run as built: nothing is pushed into
     * reads (every column decoded, every row group read); results are the same, only slower. For
     * comparing and for ruling the optimizer out when a result looks wrong.
     */
    public Builder optimizer(boolean on) {
      optimizer = on;
      return this;
    }

    /**
     * Parquet's flat columns (int32, int64, float, double, boolean, utf8, binary, dates,
     * timestamps) decoded page by page straight into Arrow vectors (default), or, off, every
     * column through parquet-mr's value-at-a-time column reader as before this option existed.
     * The results are the same; the switch is kept for one release to rule the new decoder out
     * when a result looks wrong.
     */
    public Builder vectorizedParquet(boolean on) {
      vectorizedParquet = on;
      return this;
    }

    /** Where operators spill; see {@link DataContext#spillDirectory()}. */
    public Builder spillDirectory(Path directory) {
      spill = new SpillSettings(Objects.requireNonNull(directory, "spillDirectory"),
          spill.capacityBytes());
      return this;
    }

    /** The context. */
    public DataContext build() {
      return new DataContext(this);
    }

    private static long positive(String name, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
