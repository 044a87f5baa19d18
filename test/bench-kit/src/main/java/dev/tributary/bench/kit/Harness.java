package dev.tributary.bench.kit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs one system's workloads in this JVM: warm-ups, then measured runs, each with peak RSS
 * reset before and read after; collects {@link Result}s and writes them as a JSON array.
 */
public final class Harness {
  private final BenchSpec spec;
  private final String system;
  private final String version;
  private final List<Result> results = new ArrayList<>();

  /** A harness for {@code system} at {@code version}. */
  public Harness(BenchSpec spec, String system, String version) {
    this.spec = spec;
    this.system = system;
    this.version = version;
  }

  /** A workload's body: does one run and returns its check value. */
  @FunctionalInterface
  public interface Body {
    /** Runs once; may call {@link Run#startClock()} after untimed preparation. */
    double run(Run run) throws Exception;
  }

  /** What one run may tell the harness besides its check value. */
  public static final class Run {
    private long t0 = System.nanoTime();
    private long t1 = -1;
    private long bytes = -1;
    private long peakArenaBytes = -1;
    private long spilledBytes = -1;

    /** Restarts the clock: what came before in this run is preparation, not measured. */
    public void startClock() {
      t0 = System.nanoTime();
    }

    /** Stops the clock: what comes after in this run (checking the output) is not measured. */
    public void stopClock() {
      t1 = System.nanoTime();
    }

    /** Bytes this run processed, for MB/s. */
    public void bytes(long processed) {
      bytes = processed;
    }

    /** Peak off-heap bytes this run held (Tributary's arena). */
    public void peakArenaBytes(long peak) {
      peakArenaBytes = peak;
    }

    /** Bytes this run spilled to disk. */
    public void spilledBytes(long spilled) {
      spilledBytes = spilled;
    }
  }

  /**
   * Runs {@code body} {@code spec.warmups()} times unmeasured, then {@code spec.runs()} times
   * measured, and records the result under {@code workload} with {@code settings}. A failing run
   * records the failure as the outcome and ends the workload. Returns null, running nothing, when
   * {@code -Dpeers.workloads=W1,...} is given and does not name {@code workload}.
   */
  public Result measure(String workload, String settings, long rows, Body body) {
    if (skipped(workload)) {
      return null;
    }
    Pending p = new Pending(workload, settings, rows, body);
    for (int i = -spec.warmups(); i < spec.runs(); i++) {
      p.step(i);
    }
    return p.finish();
  }

  /**
   * Like {@link #measure} for two systems measured in this JVM, run by run in turn (a, b, a, b,
   * ...), so that drift in a shared machine's speed hits both sides of their ratio alike.
   */
  public static void alternate(String workload, long rows, Harness a, String settingsA, Body bodyA,
      Harness b, String settingsB, Body bodyB) {
    alternate(workload, rows, List.of(new Contender(a, settingsA, bodyA),
        new Contender(b, settingsB, bodyB)));
  }

  /** One system in an {@link #alternate(String, long, List)} comparison. */
  public record Contender(Harness harness, String settings, Body body) {}

  /** Like {@link #measure} for several systems in this JVM, run by run in turn. */
  public static void alternate(String workload, long rows, List<Contender> contenders) {
    if (contenders.get(0).harness().skipped(workload)) {
      return;
    }
    List<Pending> pending = contenders.stream()
        .map(c -> c.harness().new Pending(workload, c.settings(), rows, c.body())).toList();
    BenchSpec spec = contenders.get(0).harness().spec;
    for (int i = -spec.warmups(); i < spec.runs(); i++) {
      for (Pending p : pending) {
        p.step(i);
      }
    }
    pending.forEach(Pending::finish);
  }

  private boolean skipped(String workload) {
    return !selected(workload);
  }

  /**
   * Whether {@code -Dpeers.workloads=W1,...} (if given) selects {@code workload}: by its name,
   * or for {@code W6@256MiB} also by {@code W6}.
   */
  public static boolean selected(String workload) {
    String only = System.getProperty("peers.workloads", "");
    List<String> names = java.util.Arrays.asList(only.split(","));
    int at = workload.indexOf('@');
    return only.isBlank() || names.contains(workload)
        || at > 0 && names.contains(workload.substring(0, at));
  }

  /**
   * Records {@code workload} as not run, with {@code outcome} saying why (a system that could not
   * start at a memory limit, or failed before measuring).
   */
  public void notRun(String workload, String settings, long rows, String outcome) {
    if (skipped(workload)) {
      return;
    }
    results.add(new Result(workload, system, version, settings, rows, new double[0], -1, -1, -1,
        Double.NaN, outcome, -1));
    System.out.printf(Locale.ROOT, "[%s] %s %s%n", system, workload, outcome);
  }

  /** One workload's measurements in progress. */
  private final class Pending {
    private final String workload;
    private final String settings;
    private final long rows;
    private final Body body;
    private final double[] seconds = new double[spec.runs()];
    private long bytes = -1;
    private long peakRss = -1;
    private long peakArena = -1;
    private long spilled = -1;
    private double check = Double.NaN;
    private String outcome = "ok";
    private int done;

    Pending(String workload, String settings, long rows, Body body) {
      this.workload = workload;
      this.settings = settings;
      this.rows = rows;
      this.body = body;
      System.out.printf(Locale.ROOT, "[%s] %s ...%n", system, workload);
    }

    /** Run {@code i}: negative is a warm-up. Does nothing once a run failed. */
    void step(int i) {
      if (!outcome.equals("ok")) {
        return;
      }
      System.gc();
      Rss.resetPeak();
      Run run = new Run();
      try {
        double value = body.run(run);
        long t1 = run.t1 >= 0 ? run.t1 : System.nanoTime();
        if (i < 0) {
          return;
        }
        seconds[i] = (t1 - run.t0) / 1e9;
        done++;
        bytes = run.bytes;
        peakRss = Math.max(peakRss, Rss.peakBytes());
        peakArena = Math.max(peakArena, run.peakArenaBytes);
        spilled = run.spilledBytes;
        if (!Double.isNaN(check) && !sameValue(check, value)) {
          throw new IllegalStateException("check differs between runs: " + check + " vs " + value);
        }
        check = value;
      } catch (Exception | OutOfMemoryError e) {
        outcome = describe(e);
        peakArena = Math.max(peakArena, run.peakArenaBytes);
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        System.out.printf(Locale.ROOT, "[%s] %s failed: %s%n", system, workload, trace);
      }
    }

    Result finish() {
      double[] measured = java.util.Arrays.copyOf(seconds, done);
      Result r = new Result(workload, system, version, settings, rows, measured, bytes, peakRss,
          peakArena, check, outcome, spilled);
      results.add(r);
      System.out.printf(Locale.ROOT,
          "[%s] %s median %.3f s, %.2f M rows/s, peak RSS %d MiB, %s%n", system, workload,
          r.medianSeconds(), r.rowsPerSecond() / 1e6, peakRss >> 20, outcome);
      return r;
    }
  }

  /** Writes every result so far to {@code file} as a JSON array. */
  public void write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    StringBuilder s = new StringBuilder("[\n");
    for (int i = 0; i < results.size(); i++) {
      s.append("  ").append(results.get(i).toJson()).append(i + 1 < results.size() ? ",\n" : "\n");
    }
    Files.writeString(file, s.append("]\n").toString());
  }

  /** The file a runner writes its results to: {@code peers.result}, else in the work dir. */
  public Path resultFile() {
    String path = System.getProperty("peers.result");
    return path != null ? Path.of(path)
        : spec.workDir().getParent().resolve("results").resolve(system + ".json");
  }

  /** Deletes {@code dir} and everything under it, if present. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Total size of the regular files under {@code dir}. */
  public static long sizeOf(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static boolean sameValue(double a, double b) {
    return a == b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }

  /** A failure as a result's outcome: {@code failed: } and its first real cause. */
  public static String describe(Throwable e) {
    // Unwrap only wrappers (Reactor's propagate, unchecked I/O, ...), keep the first real cause.
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root
        && (root.getClass() == RuntimeException.class
            || root instanceof java.io.UncheckedIOException
            || root instanceof java.util.concurrent.ExecutionException
            || root.getClass().getName().contains("ReactiveException"))) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : ": " + root.getMessage();
    String text = (root.getClass().getSimpleName() + message).replaceAll("\\s+", " ");
    return "failed: " + (text.length() > 160 ? text.substring(0, 160) + "..." : text);
  }
}
