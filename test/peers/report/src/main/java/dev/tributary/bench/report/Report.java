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
  private static final List<String> WORKLOADS = List.of("W1", "W2", "W3", "W4", "R5", "W5");
  private static final Map<String, String> TITLES = Map.of(
      "W1", "W1 ETL (read, z = 2x + y, z > 0, write)",
      "W2", "W2 scan-reduce (sum x where key < k)",
      "W3", "W3 governed ingest (20x limit, 4x inflation, slow sink)",
      "W4", "W4 training feed (batches of 1024, local shuffle)",
      "R5", "#5 read (id, x, tag, ts)",
      "W5", "#5 write (same Arrow vectors)");
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
    rows.sort(Comparator.comparingInt((ObjectNode n) -> index(WORKLOADS, text(n, "workload")))
        .thenComparingInt(n -> index(SYSTEMS, text(n, "system"))));
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
            + " each system in its own JVM (-Xmx4g)", scale, dataRows,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        System.getProperty("peers.warmups", "1"), System.getProperty("peers.runs", "3"));
    String table = table(rows, false);
    System.out.println();
    System.out.println(header);
    System.out.println(table);
    System.out.println(issue5(rows));

    StringBuilder md = new StringBuilder("# Tributary side-by-side benchmark\n\n")
        .append(header).append("\n\n")
        .append("`x trib` = the system's rows/s divided by Tributary's on the same workload"
            + " (above 1: faster than Tributary). Peak RSS: `VmHWM` of the measured JVM, reset"
            + " before each measured run. W3's rows/s count source rows; its peak arena is the"
            + " off-heap bytes held against the limit.\n\n")
        .append(table(rows, true)).append('\n')
        .append("## Issue #5: Parquet read and write, Tributary vs raw parquet-mr\n\n```\n")
        .append(issue5(rows)).append("```\n\n## Workloads\n\n");
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
