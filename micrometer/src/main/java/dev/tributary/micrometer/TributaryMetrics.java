package dev.tributary.micrometer;

import dev.tributary.ExecutionListener;
import dev.tributary.ExecutionStats;
import dev.tributary.RunningExecution;
import dev.tributary.TributaryRuntime;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.OperatorStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters for one {@link TributaryRuntime}, in any registry.
 *
 * <p>Runtime ({@code runtime} tag): {@code tributary.memory.limit}, {@code
 * tributary.memory.allocated}, {@code tributary.memory.peak} (bytes, the arena's), {@code
 * tributary.executions.running} and the counter {@code tributary.executions.completed}.
 *
 * <p>Per execution ({@code execution} tag: its name), while it runs: {@code
 * tributary.execution.memory.held}, {@code .peak}, {@code .limit} (bytes).
 *
 * <p>Per operator ({@code execution}, {@code operator} and {@code stage}, its position from the
 * source), while its execution runs: gauges {@code tributary.operator.memory.held} and {@code
 * tributary.operator.memory.budget} (bytes); counters {@code tributary.operator.rows}, {@code
 * tributary.operator.blocks}, {@code tributary.operator.bytes} (tag {@code direction}: {@code in}
 * or {@code out}); and the time counters {@code tributary.operator.user.time} (in user
 * functions), {@code tributary.operator.throttled.time} (demand held back for lack of memory) and
 * {@code tributary.operator.backpressure.time} (output waiting for downstream), in seconds;
 * what it moved to disk and back when memory was short: {@code tributary.operator.spilled.bytes},
 * {@code tributary.operator.restored.bytes} (bytes) and {@code tributary.operator.spill.time},
 * {@code tributary.operator.restore.time} (seconds; zero for operators that never spill).
 *
 * <p>An execution's meters are registered when it starts and removed when it ends, so that a
 * service running many short executions does not grow its registry; what ended is counted in
 * {@code tributary.executions.completed}. Bind it once per registry; {@link #close()} stops
 * listening and removes the meters it registered.
 */
public final class TributaryMetrics implements MeterBinder, AutoCloseable {
  private final TributaryRuntime runtime;
  private final Tags tags;
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final Map<RunningExecution, List<Meter>> meters = new ConcurrentHashMap<>();
  private final List<Counter> completed = new CopyOnWriteArrayList<>();
  private final List<Meter> runtimeMeters = new CopyOnWriteArrayList<>();
  private final AutoCloseable listening;

  /** Meters for {@code runtime}, tagged {@code runtime=<its name>}. */
  public TributaryMetrics(TributaryRuntime runtime) {
    this(runtime, Tags.empty());
  }

  /** Meters for {@code runtime}, tagged {@code runtime=<its name>} and {@code tags}. */
  public TributaryMetrics(TributaryRuntime runtime, Iterable<Tag> tags) {
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.tags = Tags.of("runtime", runtime.name()).and(Objects.requireNonNull(tags, "tags"));
    this.listening = runtime.addListener(new ExecutionListener() {
      @Override
      public void started(RunningExecution execution) {
        register(execution);
      }

      @Override
      public void ended(RunningExecution execution, ExecutionStats stats) {
        unregister(execution);
        completed.forEach(Counter::increment);
      }
    });
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    runtimeMeters.add(Gauge.builder("tributary.memory.limit", runtime, r -> r.memoryLimit())
        .tags(tags).baseUnit(BaseUnits.BYTES)
        .description("the runtime's hard memory bound").register(registry));
    runtimeMeters.add(Gauge.builder("tributary.memory.allocated", runtime,
            r -> r.arena().allocatedBytes())
        .tags(tags).baseUnit(BaseUnits.BYTES)
        .description("bytes all executions hold in the arena").register(registry));
    runtimeMeters.add(Gauge.builder("tributary.memory.peak", runtime,
            r -> r.arena().peakBytes())
        .tags(tags).baseUnit(BaseUnits.BYTES)
        .description("the most bytes the arena held at once").register(registry));
    runtimeMeters.add(Gauge.builder("tributary.executions.running", runtime,
            r -> r.executions().size())
        .tags(tags).description("executions streaming now").register(registry));
    Counter done = Counter.builder("tributary.executions.completed").tags(tags)
        .description("executions that ended (completed, failed or cancelled)")
        .register(registry);
    runtimeMeters.add(done);
    completed.add(done);
    registries.add(registry);
    // Executions already streaming get their meters in the new registry too.
    for (RunningExecution e : runtime.executions()) {
      meters.computeIfAbsent(e, k -> new CopyOnWriteArrayList<>())
          .addAll(executionMeters(e, registry));
    }
  }

  private void register(RunningExecution execution) {
    List<Meter> made = new ArrayList<>();
    for (MeterRegistry registry : registries) {
      made.addAll(executionMeters(execution, registry));
    }
    meters.put(execution, new CopyOnWriteArrayList<>(made));
  }

  private void unregister(RunningExecution execution) {
    List<Meter> made = meters.remove(execution);
    if (made != null) {
      for (Meter m : made) {
        registries.forEach(r -> r.remove(m));
      }
    }
  }

  private List<Meter> executionMeters(RunningExecution e, MeterRegistry registry) {
    List<Meter> out = new ArrayList<>();
    Tags et = tags.and("execution", e.name());
    out.add(Gauge.builder("tributary.execution.memory.held", e, RunningExecution::heldBytes)
        .tags(et).baseUnit(BaseUnits.BYTES).register(registry));
    out.add(Gauge.builder("tributary.execution.memory.peak", e, RunningExecution::peakBytes)
        .tags(et).baseUnit(BaseUnits.BYTES).register(registry));
    out.add(Gauge.builder("tributary.execution.memory.limit", e,
            RunningExecution::memoryLimitBytes)
        .tags(et).baseUnit(BaseUnits.BYTES).register(registry));
    List<OperatorStats> operators = e.operators();
    for (int i = 0; i < operators.size(); i++) {
      OperatorStats op = operators.get(i);
      Tags ot = et.and("operator", op.name(), "stage", Integer.toString(i));
      out.add(Gauge.builder("tributary.operator.memory.held", op, OperatorStats::heldBytes)
          .tags(ot).baseUnit(BaseUnits.BYTES).register(registry));
      out.add(Gauge.builder("tributary.operator.memory.budget", op, OperatorStats::budgetBytes)
          .tags(ot).baseUnit(BaseUnits.BYTES).register(registry));
      out.add(counter(registry, "tributary.operator.rows", ot.and("direction", "in"), op,
          OperatorSnapshot::rowsIn, BaseUnits.ROWS));
      out.add(counter(registry, "tributary.operator.rows", ot.and("direction", "out"), op,
          OperatorSnapshot::rowsOut, BaseUnits.ROWS));
      out.add(counter(registry, "tributary.operator.blocks", ot.and("direction", "in"), op,
          OperatorSnapshot::blocksIn, null));
      out.add(counter(registry, "tributary.operator.blocks", ot.and("direction", "out"), op,
          OperatorSnapshot::blocksOut, null));
      out.add(counter(registry, "tributary.operator.bytes", ot.and("direction", "in"), op,
          OperatorSnapshot::bytesIn, BaseUnits.BYTES));
      out.add(counter(registry, "tributary.operator.bytes", ot.and("direction", "out"), op,
          OperatorSnapshot::bytesOut, BaseUnits.BYTES));
      out.add(seconds(registry, "tributary.operator.user.time", ot, op,
          OperatorSnapshot::userNanos));
      out.add(seconds(registry, "tributary.operator.throttled.time", ot, op,
          OperatorSnapshot::throttledNanos));
      out.add(seconds(registry, "tributary.operator.backpressure.time", ot, op,
          OperatorSnapshot::backpressureNanos));
      out.add(counter(registry, "tributary.operator.spilled.bytes", ot, op,
          o -> o.spills().bytesSpilled(), BaseUnits.BYTES));
      out.add(counter(registry, "tributary.operator.restored.bytes", ot, op,
          o -> o.spills().bytesRestored(), BaseUnits.BYTES));
      out.add(seconds(registry, "tributary.operator.spill.time", ot, op,
          o -> o.spills().spillNanos()));
      out.add(seconds(registry, "tributary.operator.restore.time", ot, op,
          o -> o.spills().restoreNanos()));
    }
    return out;
  }

  private static Meter counter(MeterRegistry registry, String name, Tags tags, OperatorStats op,
      ToLongFunction<OperatorSnapshot> value, String unit) {
    return FunctionCounter.builder(name, op, o -> value.applyAsLong(o.snapshot()))
        .tags(tags).baseUnit(unit).register(registry);
  }

  private static Meter seconds(MeterRegistry registry, String name, Tags tags, OperatorStats op,
      ToLongFunction<OperatorSnapshot> nanos) {
    return FunctionCounter.builder(name, op, o -> nanos.applyAsLong(o.snapshot()) / 1e9)
        .tags(tags).baseUnit("seconds").register(registry);
  }

  /** Stops listening to the runtime and removes every meter this binder registered. */
  @Override
  public void close() {
    try {
      listening.close();
    } catch (Exception e) {
      throw new IllegalStateException(e); // removing a listener from a list does not fail
    }
    List.copyOf(meters.keySet()).forEach(this::unregister);
    for (Meter m : runtimeMeters) {
      registries.forEach(r -> r.remove(m));
    }
    runtimeMeters.clear();
    completed.clear();
    registries.clear();
  }
}
