package dev.tributary;

import dev.tributary.error.TributaryException;
import dev.tributary.gpu.Gpus;
import dev.tributary.memory.Arena;
import dev.tributary.memory.MemoryLeakException;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where executions run: one arena (the process's one hard memory bound by default), the {@code
 * cpu} scheduler user functions run on, the {@code io} scheduler sources and sinks run on, the
 * budget planner that divides the arena between running executions, one ticker and the progress
 * lines; and, from the first GPU stage on, one dedicated thread per CUDA device ({@link #gpus()}).
 *
 * <p>Every dataset runs in {@link #defaultRuntime()} unless given another ({@link
 * Dataset#withRuntime}, or per subscription under {@link #CONTEXT_KEY} in the Reactor context). A
 * context's {@link DataContext#memoryLimit()} caps one execution inside the runtime's arena; it
 * never makes a second arena, so all executions together stay within {@link #memoryLimit()}.
 * An execution starts only when its minimum working set fits beside those running; until then it
 * waits in the runtime's first-in, first-out admission queue ({@link
 * RunningExecution#queuedForMemory()}): executions wait for memory, they do not fail for it.
 *
 * <p>Build one to own its lifecycle, e.g. in a service, with the application's schedulers:
 * <pre>{@code
 * TributaryRuntime runtime = TributaryRuntime.builder()
 *     .memoryLimit(2L << 30)
 *     .cpuScheduler(appCpu).ioScheduler(appIo)
 *     .build();
 * }</pre>
 * Closing it stops executions still running, waits for them to wind down, stops the threads it
 * created, and releases every byte left in its arena, reporting what was still held as a leak.
 *
 * <p>Leaks (memory an execution's operators did not release, blocks handed out and never closed)
 * are released or reclaimed and logged, naming the execution and operator. With {@link
 * Builder#failOnLeak(boolean)} (tests), a leak also fails with {@link MemoryLeakException}: the
 * consumer whose execution leaked, or else {@link #close()}.
 */
public final class TributaryRuntime implements AutoCloseable {
  /** The Reactor {@code Context} key that carries the runtime a subscription executes in. */
  public static final Class<TributaryRuntime> CONTEXT_KEY = TributaryRuntime.class;
  /** How long {@link #close()} waits for executions to finish winding down. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
  /** How many leaks a runtime remembers for {@link #leaks()}. */
  static final int KEPT_LEAKS = 100;

  private static final Logger LOG = LoggerFactory.getLogger(TributaryRuntime.class);
  /** Finds executions whose subscriber dropped them unfinished (see Execution#abandoned). */
  static final Cleaner ABANDONED = Cleaner.create(r -> {
    Thread t = new Thread(r, "tributary-execution-cleaner");
    t.setDaemon(true);
    return t;
  });
  private static TributaryRuntime defaultRuntime;

  private final String name;
  private final Arena arena;
  private final Scheduler cpu;
  private final Scheduler io;
  private final boolean ownsCpu;
  private final boolean ownsIo;
  private final boolean failOnLeak;
  private final double gpuMemoryFraction;
  private final int simulatedGpus;
  private final long simulatedGpuBytes;
  private Gpus gpus;
  private final Consumer<MemoryLeakException> onLeak;
  private final ResourceManager.Running running;
  private final Progress.Board progress;
  private final Ticker ticker;
  private final Set<Execution> executions = ConcurrentHashMap.newKeySet();
  private final Map<RunningExecution, Boolean> streaming = new ConcurrentHashMap<>();
  private final List<ExecutionListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong executionIds = new AtomicLong();
  private final List<MemoryLeakException> leaks = new ArrayList<>();
  private final List<MemoryLeakException> undelivered = new ArrayList<>();
  private volatile boolean closed;

  private TributaryRuntime(Builder b) {
    this.name = b.name;
    this.failOnLeak = b.failOnLeak;
    this.gpuMemoryFraction = b.gpuMemoryFraction;
    this.simulatedGpus = b.simulatedGpus;
    this.simulatedGpuBytes = b.simulatedGpuBytes;
    this.onLeak = b.onLeak;
    this.ownsCpu = b.cpu == null;
    this.ownsIo = b.io == null;
    this.cpu = ownsCpu ? Schedulers.newParallel(name + "-cpu", b.cpuThreads, true) : b.cpu;
    this.io = ownsIo ? Schedulers.newBoundedElastic(Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE,
        Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE, name + "-io", 60, true) : b.io;
    // A refused allocation may wait for reclaimed blocks: parking only where Reactor allows it.
    this.arena = Arena.create(name, b.memoryLimit, () -> !Schedulers.isInNonBlockingThread());
    this.running = new ResourceManager.Running(arena, this::wakeTicker);
    this.progress = new Progress.Board(io, this::wakeTicker);
    this.ticker = new Ticker(io, List.of(
        new Ticker.Task(running::active, running::sampleAll),
        new Ticker.Task(progress::active, progress::tick)));
  }

  /** A builder for a runtime of its own (name {@code tributary}, defaults as documented). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The runtime datasets run in unless given another: created on first use with the memory
   * limit of {@link DataContext#current()} at that moment (30% of the JVM's maximum memory by
   * default) and {@code failOnLeak} from the system property {@code tributary.failOnLeak}, and
   * closed when the JVM exits. If it was closed, the next call creates a new one.
   */
  public static synchronized TributaryRuntime defaultRuntime() {
    if (defaultRuntime == null || defaultRuntime.closed) {
      TributaryRuntime runtime = builder().build();
      Runtime.getRuntime().addShutdownHook(new Thread(runtime::closeQuietly,
          "tributary-shutdown"));
      defaultRuntime = runtime;
    }
    return defaultRuntime;
  }

  /** The runtime's name: its threads' prefix, and the prefix of its executions' names. */
  public String name() {
    return name;
  }

  /** The hard bound on what all executions of this runtime hold together (bytes). */
  public long memoryLimit() {
    return arena.limitBytes();
  }

  /** The arena every execution of this runtime allocates in. */
  public Arena arena() {
    return arena;
  }

  /** The scheduler user functions and governors run on (non-blocking threads). */
  public Scheduler cpuScheduler() {
    return cpu;
  }

  /** The scheduler sources, sinks and the ticker run on (threads that may block on I/O). */
  public Scheduler ioScheduler() {
    return io;
  }

  /**
   * The GPU side: one worker thread per CUDA device, each owning its device's context and memory
   * arena; opened on first use (the devices probed once per process). Without a usable device it
   * has none and GPU stages run on the CPU (the reason logged once).
   *
   * @throws IllegalStateException if the runtime is closed
   */
  public synchronized Gpus gpus() {
    if (closed) {
      throw new IllegalStateException("runtime '" + name + "' is closed");
    }
    if (gpus == null) {
      gpus = simulatedGpus > 0
          ? Gpus.simulated(name, simulatedGpus, simulatedGpuBytes, gpuMemoryFraction)
          : Gpus.open(name, gpuMemoryFraction);
    }
    return gpus;
  }

  /** Whether leaks fail with {@link MemoryLeakException} (see the class comment). */
  public boolean failOnLeak() {
    return failOnLeak;
  }

  /** The leaks reported so far (the latest {@value #KEPT_LEAKS}), oldest first. */
  public synchronized List<MemoryLeakException> leaks() {
    return List.copyOf(leaks);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Opens an execution described as {@code description}; under the runtime's lock, so that one
   * opened while the runtime closes is either refused or stopped by the close.
   */
  synchronized Execution open(String description, DataContext requested) {
    if (closed) {
      throw new IllegalStateException("runtime '" + name + "' is closed");
    }
    Execution execution = new Execution(this, requested,
        name + "#" + executionIds.incrementAndGet() + " " + description);
    executions.add(execution);
    return execution;
  }

  /** An execution compiled its operators: listeners hear of it. */
  void started(RunningExecution view) {
    streaming.put(view, Boolean.TRUE);
    for (ExecutionListener l : listeners) {
      notify(l, () -> l.started(view));
    }
  }

  /**
   * An execution ended: nothing of it runs any more and its scope closed; listeners hear of it
   * ({@code view} is null when it failed before its operators were compiled).
   */
  void ended(Execution execution, RunningExecution view, ExecutionStats stats) {
    executions.remove(execution);
    if (view != null && streaming.remove(view) != null) {
      for (ExecutionListener l : listeners) {
        notify(l, () -> l.ended(view, stats));
      }
    }
  }

  private static void notify(ExecutionListener listener, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("execution listener {} failed: {}", listener, e.toString());
    }
  }

  /**
   * Adds a listener to executions that start from now on (and their ends); returns what removes
   * it. Listeners are called on execution threads and must not block.
   */
  public AutoCloseable addListener(ExecutionListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** The executions streaming now (compiled, not yet ended), in no particular order. */
  public List<RunningExecution> executions() {
    return List.copyOf(streaming.keySet());
  }

  ResourceManager.Running running() {
    return running;
  }

  Progress.Board progress() {
    return progress;
  }

  private void wakeTicker() {
    // The ticker exists once the constructor finished; registries wake it only after that.
    ticker.wake();
  }

  /**
   * Reports a leak: always logged; kept for {@link #leaks()}; with {@code failOnLeak}, raised by
   * {@link #close()} unless {@code delivered} (a consumer received it).
   */
  void leaked(MemoryLeakException leak, boolean delivered) {
    LOG.warn("{}", leak.getMessage());
    synchronized (this) {
      leaks.add(leak);
      if (leaks.size() > KEPT_LEAKS) {
        leaks.remove(0);
      }
      if (!delivered && undelivered.size() < KEPT_LEAKS) {
        undelivered.add(leak);
      }
    }
    if (onLeak != null) {
      onLeak.accept(leak);
    }
  }

  /**
   * Closes the runtime: refuses new executions, stops those still streaming (their consumers get
   * an {@code IllegalStateException}), waits (up to {@link #CLOSE_WAIT}) until every execution
   * has ended, stops the schedulers it created (not those the builder was given), and closes the
   * arena, releasing every byte still held: blocks still open become closed. If an execution
   * did not end in time (a user function still running), the arena is left open rather than
   * freed under it, and that is logged. Blocks the calling thread.
   *
   * @throws MemoryLeakException with {@code failOnLeak}, if anything leaked that no consumer was
   *     told of (the first leak, the others suppressed)
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<Execution> left = List.copyOf(executions);
    left.forEach(Execution::interrupt);
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    List<String> running = new ArrayList<>();
    for (Execution e : left) {
      if (!e.awaitEnd(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        running.add(e.name());
      }
    }
    closeGpus();
    if (ownsCpu) {
      stop(cpu);
    }
    if (ownsIo) {
      stop(io);
    }
    if (!running.isEmpty()) {
      LOG.warn("runtime '{}' closed while executions {} still ran after {}: their memory stays"
          + " allocated", name, running, CLOSE_WAIT);
    } else {
      try {
        arena.close();
      } catch (MemoryLeakException e) {
        leaked(e, false);
      }
    }
    List<MemoryLeakException> raise;
    synchronized (this) {
      raise = List.copyOf(undelivered);
      undelivered.clear();
    }
    if (failOnLeak && !raise.isEmpty()) {
      MemoryLeakException first = raise.get(0);
      raise.subList(1, raise.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  /** Closes each device's arena and context on its own thread (a device leak is logged). */
  private void closeGpus() {
    Gpus opened;
    synchronized (this) {
      opened = gpus;
    }
    if (opened != null) {
      try {
        opened.close();
      } catch (TributaryException e) {
        LOG.warn("runtime '{}': {}", name, e.getMessage());
      }
    }
  }

  /** Disposes a scheduler and waits until its threads ended (forcing them after the wait). */
  private static void stop(Scheduler scheduler) {
    scheduler.disposeGracefully().timeout(CLOSE_WAIT).onErrorResume(t -> {
      scheduler.dispose();
      return Mono.empty();
    }).block();
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("closing runtime '{}' at JVM exit: {}", name, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "TributaryRuntime[" + name + ", " + arena + ", " + executions.size()
        + " executions running]";
  }

  /** Builds a {@link TributaryRuntime}; every setter checks its argument. */
  public static final class Builder {
    private String name = "tributary";
    private long memoryLimit = DataContext.current().memoryLimit();
    private int cpuThreads = Runtime.getRuntime().availableProcessors();
    private Scheduler cpu;
    private Scheduler io;
    private boolean failOnLeak = Boolean.getBoolean("tributary.failOnLeak");
    private double gpuMemoryFraction = Gpus.DEFAULT_MEMORY_FRACTION;
    private int simulatedGpus;
    private long simulatedGpuBytes;
    private Consumer<MemoryLeakException> onLeak;

    private Builder() {}

    /** The name (default {@code tributary}): its threads' prefix and its executions'. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The hard bound on what all executions hold together (default: {@link
     * DataContext#current()}'s memory limit when the builder was made).
     */
    public Builder memoryLimit(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("memoryLimit must be positive, was " + bytes);
      }
      this.memoryLimit = bytes;
      return this;
    }

    /** Threads of the {@code cpu} scheduler the runtime creates (default: available cores). */
    public Builder cpuThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("cpuThreads must be positive, was " + threads);
      }
      this.cpuThreads = threads;
      return this;
    }

    /**
     * Runs user functions and governors on {@code scheduler} (non-blocking threads, e.g. the
     * application's {@code Schedulers.parallel()}) instead of creating one; the runtime never
     * disposes it.
     */
    public Builder cpuScheduler(Scheduler scheduler) {
      this.cpu = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Runs sources, sinks and the ticker on {@code scheduler} (threads that may block, e.g.
     * {@code Schedulers.boundedElastic()}) instead of creating one; the runtime never disposes it.
     */
    public Builder ioScheduler(Scheduler scheduler) {
      this.io = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Whether a leak fails with {@link MemoryLeakException} besides being logged (default: the
     * system property {@code tributary.failOnLeak}): for tests.
     */
    public Builder failOnLeak(boolean fail) {
      this.failOnLeak = fail;
      return this;
    }

    /**
     * The share of each CUDA device's free memory (when first used) its arena may hold (default
     * {@value Gpus#DEFAULT_MEMORY_FRACTION}); a GPU stage's call that needs more fails with a
     * {@link dev.tributary.gpu.DeviceMemoryException}.
     */
    public Builder gpuMemoryFraction(double fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("gpuMemoryFraction must be in (0, 1], was " + fraction);
      }
      this.gpuMemoryFraction = fraction;
      return this;
    }

    /**
     * Runs GPU stages on {@code devices} devices simulated on the host ({@link Gpus#simulated}:
     * each its own thread, {@code bytesPerDevice} of memory, the host's kernels) instead of the
     * machine's: for tests of GPU pipelines on machines without a GPU.
     */
    public Builder simulatedGpus(int devices, long bytesPerDevice) {
      if (devices < 1 || bytesPerDevice < 1) {
        throw new IllegalArgumentException("devices and bytesPerDevice must be >= 1, were "
            + devices + " and " + bytesPerDevice);
      }
      this.simulatedGpus = devices;
      this.simulatedGpuBytes = bytesPerDevice;
      return this;
    }

    /** Also tells {@code listener} of every leak (metrics, alerts); it must not block. */
    public Builder onLeak(Consumer<MemoryLeakException> listener) {
      this.onLeak = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The runtime. */
    public TributaryRuntime build() {
      return new TributaryRuntime(this);
    }
  }
}
