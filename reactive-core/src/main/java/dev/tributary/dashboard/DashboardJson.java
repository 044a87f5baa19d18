package dev.tributary.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.ExecutionStats;
import dev.tributary.RunningExecution;
import dev.tributary.TributaryRuntime;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.OperatorStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's data as JSON: the runtime's memory, each running execution with its
 * operators' live counters, and the recent executions' final stats. Reads counters only, so it
 * may run on a non-blocking thread.
 */
final class DashboardJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DashboardJson() {}

  /** One ended execution as the dashboard lists it. */
  record Ended(String name, long endedMillis, ExecutionStats stats) {}

  static String of(TributaryRuntime runtime, List<Ended> recent) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("runtime", runtime.name());
    root.put("time", System.currentTimeMillis());
    root.put("memory", Map.of("limit", runtime.memoryLimit(),
        "allocated", runtime.arena().allocatedBytes(), "peak", runtime.arena().peakBytes()));
    List<Object> running = new ArrayList<>();
    for (RunningExecution e : runtime.executions()) {
      Map<String, Object> execution = new LinkedHashMap<>();
      execution.put("name", e.name());
      execution.put("held", e.heldBytes());
      execution.put("peak", e.peakBytes());
      execution.put("limit", e.memoryLimitBytes());
      execution.put("queuedForMemory", e.queuedForMemory());
      List<Object> operators = new ArrayList<>();
      for (OperatorStats op : e.operators()) {
        operators.add(operator(op.snapshot(), op.heldBytes()));
      }
      execution.put("operators", operators);
      running.add(execution);
    }
    root.put("running", running);
    List<Object> ended = new ArrayList<>();
    for (Ended e : recent) {
      Map<String, Object> execution = new LinkedHashMap<>();
      execution.put("name", e.name());
      execution.put("ended", e.endedMillis());
      execution.put("wallMillis", e.stats().wallNanos() / 1_000_000);
      execution.put("rows", e.stats().rowsOut());
      execution.put("peak", e.stats().arenaPeakBytes());
      execution.put("limit", e.stats().memoryLimitBytes());
      execution.put("operators", e.stats().operators().stream()
          .map(op -> operator(op, 0)).toList());
      ended.add(execution);
    }
    root.put("recent", ended);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of numbers and strings always serialize", e);
    }
  }

  /** One operator's counters, with why it waits now ({@code "waiting"}, empty when it does not). */
  private static Map<String, Object> operator(OperatorSnapshot op, long held) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", op.name());
    out.put("held", held);
    out.put("peak", op.peakBytes());
    out.put("budget", op.budgetBytes());
    out.put("rowsIn", op.rowsIn());
    out.put("rowsOut", op.rowsOut());
    out.put("blocksOut", op.blocksOut());
    out.put("bytesOut", op.bytesOut());
    out.put("spilled", op.spills().bytesSpilled());
    out.put("restored", op.spills().bytesRestored());
    out.put("throttledMillis", op.throttledNanos() / 1_000_000);
    out.put("backpressureMillis", op.backpressureNanos() / 1_000_000);
    out.put("userMillis", op.userNanos() / 1_000_000);
    out.put("waiting", op.waiting().describe());
    return out;
  }
}
