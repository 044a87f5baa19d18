package dev.tributary.spring;

import dev.tributary.DataContext;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code tributary.*} properties: the runtime's bound and threads, and the defaults of the
 * {@link DataContext} bean every request's datasets run with. Unset properties keep {@link
 * DataContext#defaults()}. For example:
 * <pre>
 * tributary.memory-limit=512MB
 * tributary.cpu-threads=4
 * tributary.target-max-block-size=8MB
 * tributary.preserve-order=false
 * </pre>
 */
@ConfigurationProperties(prefix = "tributary")
public class TributaryProperties {
  private static final DataContext DEFAULTS = DataContext.defaults();

  /** The runtime's name: its threads' prefix and the {@code runtime} tag of its meters. */
  private String name = "tributary";
  /** The runtime's hard memory bound for all executions together. */
  private DataSize memoryLimit = DataSize.ofBytes(DEFAULTS.memoryLimit());
  /** The cap of one execution (defaults to the runtime's bound). */
  private DataSize executionMemoryLimit;
  /** Threads of the cpu scheduler (user functions, governors). */
  private int cpuThreads = Runtime.getRuntime().availableProcessors();
  /** Whether a leak fails the consumer (tests) rather than being logged. */
  private boolean failOnLeak;
  /** Blocks above this size are split. */
  private DataSize targetMaxBlockSize = DataSize.ofBytes(DEFAULTS.targetMaxBlockSize());
  /** Blocks straight from a read below this size are coalesced. */
  private DataSize targetMinBlockSize = DataSize.ofBytes(DEFAULTS.targetMinBlockSize());
  /** Tasks a stage may run at once. */
  private int cpuLimit = DEFAULTS.cpuLimit();
  /** Whether parallel stages keep the input's order. */
  private boolean preserveOrder = DEFAULTS.preserveOrder();
  /** Whether executions log progress lines. */
  private boolean progressBars = DEFAULTS.enableProgressBars();
  /** Whether one-to-one operators are fused into one stage. */
  private boolean operatorFusion = DEFAULTS.operatorFusion();
  /** Whether demand is governed by memory (off: a fixed count of blocks). */
  private boolean governed = DEFAULTS.governed();
  /** Unreadable blocks skipped (each reported) before a read fails. */
  private int maxErroredBlocks = DEFAULTS.maxErroredBlocks();
  /** Whether plans are optimized (pushdown). */
  private boolean optimizer = DEFAULTS.optimizer();
  /** The live dashboard ({@code tributary.dashboard.*}): off unless enabled. */
  private final DashboardProperties dashboard = new DashboardProperties();

  /** The {@link DataContext} these properties describe. */
  public DataContext toDataContext() {
    return DataContext.builder()
        .memoryLimit((executionMemoryLimit != null ? executionMemoryLimit : memoryLimit)
            .toBytes())
        .targetMaxBlockSize(targetMaxBlockSize.toBytes())
        .targetMinBlockSize(targetMinBlockSize.toBytes())
        .cpuLimit(cpuLimit)
        .preserveOrder(preserveOrder)
        .enableProgressBars(progressBars)
        .operatorFusion(operatorFusion)
        .governed(governed)
        .maxErroredBlocks(maxErroredBlocks)
        .optimizer(optimizer)
        .build();
  }

  /** See the field. @return the runtime's name */
  public String getName() {
    return name;
  }

  /** See the field. @param name the runtime's name */
  public void setName(String name) {
    this.name = name;
  }

  /** See the field. @return the runtime's bound */
  public DataSize getMemoryLimit() {
    return memoryLimit;
  }

  /** See the field. @param memoryLimit the runtime's bound */
  public void setMemoryLimit(DataSize memoryLimit) {
    this.memoryLimit = memoryLimit;
  }

  /** See the field. @return one execution's cap, or null for the runtime's bound */
  public DataSize getExecutionMemoryLimit() {
    return executionMemoryLimit;
  }

  /** See the field. @param executionMemoryLimit one execution's cap */
  public void setExecutionMemoryLimit(DataSize executionMemoryLimit) {
    this.executionMemoryLimit = executionMemoryLimit;
  }

  /** See the field. @return the cpu scheduler's threads */
  public int getCpuThreads() {
    return cpuThreads;
  }

  /** See the field. @param cpuThreads the cpu scheduler's threads */
  public void setCpuThreads(int cpuThreads) {
    this.cpuThreads = cpuThreads;
  }

  /** See the field. @return whether leaks fail */
  public boolean isFailOnLeak() {
    return failOnLeak;
  }

  /** See the field. @param failOnLeak whether leaks fail */
  public void setFailOnLeak(boolean failOnLeak) {
    this.failOnLeak = failOnLeak;
  }

  /** See the field. @return the largest block */
  public DataSize getTargetMaxBlockSize() {
    return targetMaxBlockSize;
  }

  /** See the field. @param size the largest block */
  public void setTargetMaxBlockSize(DataSize size) {
    this.targetMaxBlockSize = size;
  }

  /** See the field. @return the size below which read blocks are coalesced */
  public DataSize getTargetMinBlockSize() {
    return targetMinBlockSize;
  }

  /** See the field. @param size the size below which read blocks are coalesced */
  public void setTargetMinBlockSize(DataSize size) {
    this.targetMinBlockSize = size;
  }

  /** See the field. @return tasks per stage */
  public int getCpuLimit() {
    return cpuLimit;
  }

  /** See the field. @param cpuLimit tasks per stage */
  public void setCpuLimit(int cpuLimit) {
    this.cpuLimit = cpuLimit;
  }

  /** See the field. @return whether order is kept */
  public boolean isPreserveOrder() {
    return preserveOrder;
  }

  /** See the field. @param preserveOrder whether order is kept */
  public void setPreserveOrder(boolean preserveOrder) {
    this.preserveOrder = preserveOrder;
  }

  /** See the field. @return whether progress lines are logged */
  public boolean isProgressBars() {
    return progressBars;
  }

  /** See the field. @param progressBars whether progress lines are logged */
  public void setProgressBars(boolean progressBars) {
    this.progressBars = progressBars;
  }

  /** See the field. @return whether operators are fused */
  public boolean isOperatorFusion() {
    return operatorFusion;
  }

  /** See the field. @param operatorFusion whether operators are fused */
  public void setOperatorFusion(boolean operatorFusion) {
    this.operatorFusion = operatorFusion;
  }

  /** See the field. @return whether demand is governed by memory */
  public boolean isGoverned() {
    return governed;
  }

  /** See the field. @param governed whether demand is governed by memory */
  public void setGoverned(boolean governed) {
    this.governed = governed;
  }

  /** See the field. @return errored blocks allowed */
  public int getMaxErroredBlocks() {
    return maxErroredBlocks;
  }

  /** See the field. @param maxErroredBlocks errored blocks allowed */
  public void setMaxErroredBlocks(int maxErroredBlocks) {
    this.maxErroredBlocks = maxErroredBlocks;
  }

  /** See the field. @return whether plans are optimized */
  public boolean isOptimizer() {
    return optimizer;
  }

  /** See the field. @param optimizer whether plans are optimized */
  public void setOptimizer(boolean optimizer) {
    this.optimizer = optimizer;
  }

  /** The dashboard's properties. */
  public DashboardProperties getDashboard() {
    return dashboard;
  }

  /** {@code tributary.dashboard.*}: whether and where the live dashboard is served. */
  public static class DashboardProperties {
    /** Whether the dashboard is served. */
    private boolean enabled;
    /** The address it binds: this machine only unless told. */
    private String host = "127.0.0.1";
    /** Its port (0: a free one, logged at start). */
    private int port;

    /** Whether the dashboard is served. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Serves the dashboard, or not. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** The address it binds. */
    public String getHost() {
      return host;
    }

    /** Sets the address it binds. */
    public void setHost(String host) {
      this.host = host;
    }

    /** Its port. */
    public int getPort() {
      return port;
    }

    /** Sets its port. */
    public void setPort(int port) {
      this.port = port;
    }
  }
}
