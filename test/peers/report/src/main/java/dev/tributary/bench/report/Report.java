package dev.tributary.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Aggregates the systems' result files ({@code results/*.json} under {@code peers.out}) into
 * {@code report.md} and {@code report.json} (workload x system: median time, rows/s, MB/s, peak
 * RSS, peak arena bytes, speed relative to Tributary, version and settings), {@code report.png}
 * (rows/s per workload and system) and prints the table.
 */
public final class Report {
  private static final List<String> WORKLOADS = List.of("W1", "W1v", "W2", "W2v", "W3", "W4",
      "W4v", "R5", "W5", "W3g", "W6", "W7", "W8");
  private static final Map<String, String> TITLES = Map.ofEntries(
      Map.entry("W1", "W1 ETL (read, z = 2x + y, z > 0, write)"),
      Map.entry("W1v", "W1v: W1 on the DuckDB-written copy (OPTIONAL columns, dictionary strings,"
          + " several row groups per file)"),
      Map.entry("W2", "W2 scan-reduce (sum x where key < k)"),
      Map.entry("W2v", "W2v: W2 on the DuckDB-written copy"),
      Map.entry("W3", "W3 governed ingest (20x limit, 4x inflation, slow sink)"),
      Map.entry("W4", "W4 training feed (batches of 1024, local shuffle)"),
      Map.entry("W4v", "W4v: W4 on the DuckDB-written copy"),
      Map.entry("R5", "#5 read (id, x, tag, ts)"),
      Map.entry("W5", "#5 write (same Arrow vectors)"),
      Map.entry("W3g", "W3g group-by key, 1,000 groups (sum, count, max), DuckDB-written copy,"
          + " at each memory limit (@256MiB, @4GiB)"),
      Map.entry("W6", "W6 group-by g, 1M groups (sum, count, max), at each memory limit"),
      Map.entry("W7", "W7 sort by (x, id), written to Parquet, at each memory limit"),
      Map.entry("W8", "W8 inner join with a dimension table of a tenth of the rows on id,"
          + " sum(x * w), count, count distinct key, at each memory limit"));
  /** Checks that agree within this relative tolerance are the same (sums in another order). */
  private static final double CHECK_TOLERANCE = 1e-6;
  private static final List<String> SYSTEMS =
      List.of("tributary", "tributary-vec", "tributary-expr", "tributary-ungoverned", "raw-arrow",
          "spark", "duckdb");

  private Report() {}

  /** Reads the results under {@code peers.out} and writes the report next to them. */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(System.getProperty("peers.out", "target/bench")).toAbsolutePath();
    ObjectMapper json = new ObjectMapper();
    List<ObjectNode> rows = new ArrayList<>();
    try (var files = Files.list(out.resolve("results"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        for (JsonNode n : json.readTree(f.toFile())) {
          rows.add((ObjectNode) n);
        }
      }
    }
    rows.sort(Comparator.comparingInt((ObjectNode n) -> index(WORKLOADS, base(text(n, "workload"))))
        .thenComparingInt(n -> limitMiB(text(n, "workload")))
        .thenComparingInt(n -> index(SYSTEMS, text(n, "system"))));
    // Every system's check against DuckDB's on the same workload, in the outcome.
    for (ObjectNode n : rows) {
      ObjectNode duck = find(rows, text(n, "workload"), "duckdb");
      double mine = number(n, "check");
      double theirs = duck == null ? Double.NaN : number(duck, "check");
      if (n != duck && Double.isFinite(mine) && Double.isFinite(theirs)
          && Math.abs(mine - theirs) > CHECK_TOLERANCE * Math.max(Math.abs(mine), Math.abs(theirs))
          && !text(n, "workload").startsWith("W4") && !text(n, "workload").equals("R5")
          && !text(n, "workload").equals("W5") && !text(n, "workload").equals("W3")) {
        n.put("outcome", text(n, "outcome") + "; CHECK DIFFERS from duckdb (" + theirs + ")");
      }
    }
    Map<String, Double> tributary = new LinkedHashMap<>();
    for (ObjectNode n : rows) {
      if (text(n, "system").equals("tributary")) {
        tributary.put(text(n, "workload"), number(n, "rowsPerSecond"));
      }
    }
    for (ObjectNode n : rows) {
      Double t = tributary.get(text(n, "workload"));
      double r = number(n, "rowsPerSecond");
      if (t != null && Double.isFinite(r) && t > 0) {
        n.put("speedVsTributary", r / t);
      } else {
        n.putNull("speedVsTributary");
      }
    }

    String scale = System.getProperty("peers.scale", "?");
    long dataRows = Long.getLong("peers.rows", -1);
    String header = String.format(Locale.ROOT,
        "scale %s (%,d rows), %d cores, Java %s; warm-up %s + %s measured runs, median;"
            + " each system in its own JVM (-Xmx4g; Spark at a limit: -Xmx = the limit)", scale, dataRows,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        System.getProperty("peers.warmups", "1"), System.getProperty("peers.runs", "3"));
    String table = table(rows, false);
    System.out.println();
    System.out.println(header);
    System.out.println(table);
    System.out.println(issue5(rows));
    String allToAll = allToAll(rows);
    System.out.println(allToAll);

    StringBuilder md = new StringBuilder("# Tributary side-by-side benchmark\n\n")
        .append(header).append("\n\n")
        .append("`x trib` = the system's rows/s divided by Tributary's on the same workload"
            + " (above 1: faster than Tributary). Peak RSS: `VmHWM` of the measured JVM, reset"
            + " before each measured run. W3's rows/s count source rows; its peak arena is the"
            + " off-heap bytes held against the limit.\n\n")
        .append(table(rows, true)).append('\n')
        .append("## Issue #5: Parquet read and write, Tributary vs raw parquet-mr\n\n```\n")
        .append(issue5(rows)).append("```\n\n")
        .append("## Issue 12: all-to-all workloads at each memory limit\n\n")
        .append("Tributary's median time, the execution's arena peak and its spilled bytes;"
            + " DuckDB's time and temporary-file bytes; Spark's time; `x duckdb`, `x spark`:"
            + " Tributary's speed over the peer's (above 1: Tributary faster; goal at 4GiB:"
            + " x spark >= 2); `check`: Tributary's result equals DuckDB's; `vs own big`:"
            + " Tributary's time over its own at the largest limit (goal: <= 2).\n\n```\n")
        .append(allToAll).append("```\n\n## Workloads\n\n");
    for (String w : WORKLOADS) {
      md.append("- ").append(TITLES.get(w)).append('\n');
    }
    md.append("\n## Systems\n\n");
    Map<String, String> versions = new LinkedHashMap<>();
    for (ObjectNode n : rows) {
      versions.putIfAbsent(text(n, "system"), text(n, "version"));
    }
    versions.forEach((s, v) -> md.append("- ").append(s).append(": ").append(v).append('\n'));
    Files.writeString(out.resolve("report.md"), md.toString());

    ObjectNode doc = json.createObjectNode();
    doc.put("scale", scale);
    doc.put("rows", dataRows);
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("java", System.getProperty("java.version"));
    ArrayNode results = doc.putArray("results");
    rows.forEach(results::add);
    json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("report.json").toFile(), doc);

    chart(rows, out.resolve("report.png"), header);
    System.out.println("report: " + out.resolve("report.md") + ", report.json, report.png");
  }

  private static String table(List<ObjectNode> rows, boolean markdown) {
    StringBuilder s = new StringBuilder();
    String[] head = {"workload", "system", "median s", "M rows/s", "MB/s", "peak RSS MiB",
        "peak arena MiB", "x trib", "check", "outcome"};
    List<String[]> lines = new ArrayList<>();
    for (ObjectNode n : rows) {
      JsonNode speed = n.get("speedVsTributary");
      lines.add(new String[] {
          text(n, "workload"), text(n, "system"), fmt("%.3f", number(n, "medianSeconds")),
          fmt("%.2f", number(n, "rowsPerSecond") / 1e6), fmt("%.0f", number(n, "megabytesPerSecond")),
          mib(n.get("peakRssBytes").asLong()), mib(n.get("peakArenaBytes").asLong()),
          speed == null || speed.isNull() ? "-" : fmt("%.2f", speed.asDouble()),
          fmt("%.6g", number(n, "check")), shorten(text(n, "outcome"), 60)});
    }
    if (markdown) {
      s.append("| ").append(String.join(" | ", head)).append(" | version | settings |\n");
      s.append("|---".repeat(head.length + 2)).append("|\n");
      for (int i = 0; i < lines.size(); i++) {
        s.append("| ").append(String.join(" | ", lines.get(i))).append(" | ")
            .append(text(rows.get(i), "version")).append(" | ")
            .append(text(rows.get(i), "settings")).append(" |\n");
      }
      return s.toString();
    }
    int[] width = new int[head.length];
    for (int c = 0; c < head.length; c++) {
      width[c] = head[c].length();
      for (String[] l : lines) {
        width[c] = Math.max(width[c], l[c].length());
      }
    }
    appendRow(s, head, width);
    for (String[] l : lines) {
      appendRow(s, l, width);
    }
    return s.toString();
  }

  private static void appendRow(StringBuilder s, String[] cells, int[] width) {
    for (int c = 0; c < cells.length; c++) {
      String pad = " ".repeat(width[c] - cells[c].length());
      s.append(c < 2 || c == cells.length - 1 ? cells[c] + pad : pad + cells[c]).append("  ");
    }
    s.setLength(s.length() - 2);
    s.append('\n');
  }

  /** Issue #5's ratios: Tributary's read and write throughput over the raw loop's. */
  private static String issue5(List<ObjectNode> rows) {
    StringBuilder s = new StringBuilder();
    for (String w : List.of("R5", "W5")) {
      ObjectNode t = find(rows, w, "tributary");
      ObjectNode r = find(rows, w, "raw-arrow");
      if (t == null || r == null) {
        continue;
      }
      s.append(String.format(Locale.ROOT,
          "%s %-5s tributary %.2f M rows/s %.0f MB/s | raw parquet-mr->Arrow %.2f M rows/s"
              + " %.0f MB/s | tributary/raw %.2f%n",
          w, w.equals("R5") ? "read" : "write", number(t, "rowsPerSecond") / 1e6,
          number(t, "megabytesPerSecond"), number(r, "rowsPerSecond") / 1e6,
          number(r, "megabytesPerSecond"),
          number(t, "rowsPerSecond") / number(r, "rowsPerSecond")));
    }
    return s.toString();
  }

  /**
   * Issue 12's goals, per all-to-all workload and limit: Tributary's time, arena peak and spill,
   * the peers' times and Tributary's speed relative to each (above 1: Tributary faster), whether
   * its check matches DuckDB's, and at a limit below the largest, its time over its own time at
   * the largest limit (goal: at most 2).
   */
  private static String allToAll(List<ObjectNode> rows) {
    List<String> workloads = new ArrayList<>();
    for (ObjectNode n : rows) {
      String w = text(n, "workload");
      if (w.contains("@") && !workloads.contains(w)) {
        workloads.add(w);
      }
    }
    if (workloads.isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "%-12s %9s %9s %9s %9s %9s %9s %9s %9s %7s %10s%n", "workload", "trib s", "arena MiB",
        "spill MiB", "duckdb s", "its spill", "spark s", "x duckdb", "x spark", "check",
        "vs own big"));
    for (String w : workloads) {
      ObjectNode t = find(rows, w, "tributary");
      ObjectNode d = find(rows, w, "duckdb");
      ObjectNode k = find(rows, w, "spark");
      double ts = t == null ? Double.NaN : number(t, "medianSeconds");
      double ds = d == null ? Double.NaN : number(d, "medianSeconds");
      double ks = k == null ? Double.NaN : number(k, "medianSeconds");
      String check = t == null || d == null ? "-"
          : text(t, "outcome").contains("CHECK DIFFERS") ? "DIFFERS"
          : Double.isFinite(number(t, "check")) && Double.isFinite(number(d, "check")) ? "same"
          : "-";
      String big = "-";
      String largest = workloads.stream().filter(x -> base(x).equals(base(w)))
          .max(Comparator.comparingInt(Report::limitMiB)).orElse(w);
      ObjectNode tb = find(rows, largest, "tributary");
      if (!largest.equals(w) && tb != null) {
        big = fmt("%.2f", ts / number(tb, "medianSeconds"));
      }
      s.append(String.format(Locale.ROOT, "%-12s %9s %9s %9s %9s %9s %9s %9s %9s %7s %10s%n", w,
          fmt("%.3f", ts), t == null ? "-" : mib(t.get("peakArenaBytes").asLong()),
          spill(t), d == null ? "-" : Double.isFinite(ds) ? fmt("%.3f", ds) : "failed", spill(d),
          k == null ? "-" : Double.isFinite(ks) ? fmt("%.3f", ks) : "failed",
          fmt("%.2f", ds / ts), fmt("%.2f", ks / ts), check, big));
    }
    for (String w : workloads) {
      for (ObjectNode n : rows) {
        if (text(n, "workload").equals(w) && !text(n, "outcome").equals("ok")) {
          s.append(w).append(' ').append(text(n, "system")).append(": ")
              .append(shorten(text(n, "outcome"), 200)).append('\n');
        }
      }
    }
    return s.toString();
  }

  private static String spill(ObjectNode n) {
    return n == null || n.get("spilledBytes") == null ? "-" : mib(n.get("spilledBytes").asLong());
  }

  /** A workload's name without its limit ({@code W6@256MiB} -> {@code W6}). */
  private static String base(String workload) {
    int at = workload.indexOf('@');
    return at < 0 ? workload : workload.substring(0, at);
  }

  /** The limit in a workload's name in MiB, or 0 for none. */
  private static int limitMiB(String workload) {
    int at = workload.indexOf('@');
    if (at < 0) {
      return 0;
    }
    String l = workload.substring(at + 1);
    return l.endsWith("GiB") ? Integer.parseInt(l.substring(0, l.length() - 3)) * 1024
        : Integer.parseInt(l.substring(0, l.length() - 3));
  }

  private static void chart(List<ObjectNode> rows, Path file, String subtitle) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (ObjectNode n : rows) {
      double v = number(n, "rowsPerSecond") / 1e6;
      if (Double.isFinite(v) && v > 0) {
        data.addValue(v, text(n, "system"), text(n, "workload"));
      }
    }
    JFreeChart chart = ChartFactory.createBarChart("Tributary vs peers: M rows/s (log scale)",
        "workload", "M rows/s", data, PlotOrientation.VERTICAL, true, false, false);
    chart.addSubtitle(new org.jfree.chart.title.TextTitle(subtitle));
    CategoryPlot plot = chart.getCategoryPlot();
    LogarithmicAxis axis = new LogarithmicAxis("M rows/s");
    axis.setAllowNegativesFlag(false);
    axis.setStrictValuesFlag(false);
    plot.setRangeAxis(axis);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 1200, 650);
  }

  private static ObjectNode find(List<ObjectNode> rows, String workload, String system) {
    return rows.stream().filter(n -> text(n, "workload").equals(workload)
        && text(n, "system").equals(system)).findFirst().orElse(null);
  }

  private static int index(List<String> order, String value) {
    int i = order.indexOf(value);
    return i < 0 ? order.size() : i;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  private static double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "-" : Long.toString(bytes >> 20);
  }

  private static String fmt(String format, double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-";
  }
}
