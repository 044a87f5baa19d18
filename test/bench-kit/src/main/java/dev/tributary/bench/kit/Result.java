package dev.tributary.bench.kit;

import java.util.Arrays;
import java.util.Locale;

/**
 * One workload run by one system: the measured runs, their median and what the runs processed.
 *
 * @param workload the workload's id ({@code W1} ... {@code W4}, {@code R5}, {@code W5})
 * @param system the system's name as the report shows it
 * @param version the system's version
 * @param settings how the system was configured (threads, codec, ...)
 * @param rows input rows per run
 * @param seconds every measured run's wall time, in order
 * @param bytes bytes per run that MB/s is computed from, or -1
 * @param peakRssBytes the largest {@code VmHWM} over the measured runs, or -1
 * @param peakArenaBytes peak off-heap bytes held by Tributary's arena, or -1
 * @param check a value every system must agree on (a row count or a sum)
 * @param outcome {@code ok}, or why the workload failed
 * @param spilledBytes bytes the system spilled to disk in its last measured run, or -1 if unknown
 */
public record Result(String workload, String system, String version, String settings, long rows,
    double[] seconds, long bytes, long peakRssBytes, long peakArenaBytes, double check,
    String outcome, long spilledBytes) {

  /** The median of the measured runs, or NaN when none completed. */
  public double medianSeconds() {
    if (seconds.length == 0) {
      return Double.NaN;
    }
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** Input rows per second at the median. */
  public double rowsPerSecond() {
    return rows / medianSeconds();
  }

  /** MB/s (10^6 bytes) at the median, or NaN when no byte count applies. */
  public double megabytesPerSecond() {
    return bytes < 0 ? Double.NaN : bytes / 1e6 / medianSeconds();
  }

  /** This result as one JSON object. */
  public String toJson() {
    StringBuilder s = new StringBuilder("{");
    field(s, "workload", workload).append(',');
    field(s, "system", system).append(',');
    field(s, "version", version).append(',');
    field(s, "settings", settings).append(',');
    s.append("\"rows\":").append(rows).append(',');
    s.append("\"seconds\":[");
    for (int i = 0; i < seconds.length; i++) {
      s.append(i == 0 ? "" : ",").append(number(seconds[i]));
    }
    s.append("],");
    s.append("\"medianSeconds\":").append(number(medianSeconds())).append(',');
    s.append("\"rowsPerSecond\":").append(number(rowsPerSecond())).append(',');
    s.append("\"bytes\":").append(bytes).append(',');
    s.append("\"megabytesPerSecond\":").append(number(megabytesPerSecond())).append(',');
    s.append("\"peakRssBytes\":").append(peakRssBytes).append(',');
    s.append("\"peakArenaBytes\":").append(peakArenaBytes).append(',');
    s.append("\"check\":").append(number(check)).append(',');
    s.append("\"spilledBytes\":").append(spilledBytes).append(',');
    field(s, "outcome", outcome);
    return s.append('}').toString();
  }

  private static String number(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
  }

  private static StringBuilder field(StringBuilder s, String name, String value) {
    s.append('"').append(name).append("\":\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        default -> {
          if (c < 0x20) {
            s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    return s.append('"');
  }
}
