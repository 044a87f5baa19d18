package dev.tributary.bench.peers;

import dev.tributary.bench.kit.BenchSpec;
import dev.tributary.bench.kit.Harness;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The side-by-side benchmark's driver: generates the data once, runs each system's runner in its
 * own JVM (so that one's heap and JIT do not skew another), then the report step, which writes
 * {@code report.md}, {@code report.json} and {@code report.png} and prints the table.
 *
 * <p>Run through {@code ./bench.sh small|medium|large}. Properties: {@code peers.scale}, {@code
 * peers.out} (default {@code target/bench}), {@code peers.systems} (default {@code
 * tributary,raw-arrow,spark,duckdb}), {@code peers.modules} (where the peer modules were built,
 * default {@code peers}), {@code peers.jfr=true} (a JFR recording per system), {@code
 * peers.workloads} (only these, e.g. {@code W1,W4}), {@code peers.governor=false} (Tributary's
 * W1, W2, W4, R5, W5 with the plain prefetch), {@code
 * peers.timeoutMinutes} per system (default 60), and every {@link BenchSpec} property.
 *
 * <p>Then issue 12's all-to-all workloads (W3g, W6, W7, W8) at each limit of {@code
 * peers.limitsMiB} (default 256 and 4096), one JVM per system and limit: Tributary with that
 * arena limit, DuckDB with that {@code memory_limit}, Spark with that driver heap ({@code -Xmx}).
 * A JVM that cannot start or dies is recorded as such for each of its workloads.
 */
public final class PeerBench {
  /**
   * What Spark 4 needs on Java 17: its launcher adds these ({@code JavaModuleOptions}); a JVM
   * started by hand must add them itself.
   */
  static final List<String> SPARK_FLAGS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true");

  /** Heap of every measured JVM. */
  static final String HEAP = "-Xmx4g";

  private PeerBench() {}

  /** Generates the data, runs every system, then the report. */
  public static void main(String[] args) throws Exception {
    BenchSpec spec = BenchSpec.fromSystemProperties();
    Path out = spec.workDir().getParent();
    Path results = out.resolve("results");
    Harness.deleteRecursively(results);
    Harness.deleteRecursively(spec.workDir());
    Files.createDirectories(results);
    if (Boolean.getBoolean("peers.jfr")) {
      Files.createDirectories(out.resolve("jfr"));
    }
    BenchData.ensure(spec);
    Path peers = Path.of(System.getProperty("peers.modules", "peers")).toAbsolutePath();
    String systems = System.getProperty("peers.systems", "tributary,raw-arrow,spark,duckdb");
    long timeout = Long.getLong("peers.timeoutMinutes", 60);
    List<String> failed = new ArrayList<>();
    for (String system : systems.split(",")) {
      system = system.trim();
      List<String> command = switch (system) {
        case "tributary" -> tributaryJvm(spec, out, system, TributaryRunner.class.getName(),
            HEAP);
        case "raw-arrow" -> tributaryJvm(spec, out, system, RawArrowRunner.class.getName(), HEAP);
        case "spark" -> peerJvm(spec, out, system, peers.resolve("spark"), SPARK_FLAGS,
            "dev.tributary.bench.spark.SparkRunner", HEAP);
        case "duckdb" -> peerJvm(spec, out, system, peers.resolve("duckdb"), List.of(),
            "dev.tributary.bench.duckdb.DuckDbRunner", HEAP);
        default -> throw new IllegalArgumentException("unknown system " + system
            + "; known: tributary, raw-arrow, spark, duckdb");
      };
      if (command == null) {
        failed.add(system + " (not built: run with -Ppeers)");
        continue;
      }
      System.out.printf(Locale.ROOT, "%n=== %s ===%n", system);
      if (launch(command, timeout) != 0) {
        failed.add(system);
      }
    }
    for (int limit : spec.limitsMiB()) {
      if (BenchSpec.ALL_TO_ALL.stream().noneMatch(w -> Harness.selected(BenchSpec.atLimit(w,
          limit)))) {
        continue;
      }
      for (String system : systems.split(",")) {
        system = system.trim();
        List<String> flags = List.of("-Dpeers.suite=alltoall", "-Dpeers.memoryMiB=" + limit);
        String label = system + "-" + BenchSpec.limitLabel(limit);
        Path result = results.resolve(label + ".json");
        List<String> command = switch (system) {
          case "tributary" -> tributaryJvm(spec, out, label, TributaryRunner.class.getName(),
              HEAP);
          case "spark" -> peerJvm(spec, out, label, peers.resolve("spark"),
              concat(SPARK_FLAGS, flags), "dev.tributary.bench.spark.SparkRunner",
              "-Xmx" + limit + "m");
          case "duckdb" -> peerJvm(spec, out, label, peers.resolve("duckdb"), flags,
              "dev.tributary.bench.duckdb.DuckDbRunner", HEAP);
          default -> List.of();
        };
        if (command == null || command.isEmpty()) {
          continue; // not built (said above), or a system without these workloads
        }
        if (system.equals("tributary")) {
          command = new ArrayList<>(command);
          command.addAll(command.size() - 3, flags);
        }
        command = new ArrayList<>(command);
        command.add(command.size() - 3, "-Dpeers.result=" + result);
        System.out.printf(Locale.ROOT, "%n=== %s, all-to-all at %s ===%n", system,
            BenchSpec.limitLabel(limit));
        Launch run = launchCapturing(command, timeout);
        if (run.exit() != 0 && !Files.exists(result)) {
          // The JVM never got to write its results: it did not start or died (out of memory).
          Harness h = new Harness(spec, system, system);
          for (String w : BenchSpec.ALL_TO_ALL) {
            h.notRun(BenchSpec.atLimit(w, limit), "limit " + BenchSpec.limitLabel(limit),
                spec.rows(), "failed: JVM exit " + run.exit() + ": " + run.lastError());
          }
          h.write(result);
        }
        if (run.exit() != 0) {
          failed.add(label);
        }
      }
    }
    Harness.deleteRecursively(spec.workDir());
    List<String> report = peerJvm(spec, out, "report", peers.resolve("report"),
        List.of("-Djava.awt.headless=true"), "dev.tributary.bench.report.Report", HEAP);
    if (report == null) {
      System.out.println("report module not built (run with -Ppeers); results are in " + results);
    } else if (launch(report, 10) != 0) {
      failed.add("report");
    }
    if (!failed.isEmpty()) {
      System.out.println("failed or skipped: " + failed);
    }
  }

  /** A JVM on this process's class path with the JVM flags this process was started with. */
  private static List<String> tributaryJvm(BenchSpec spec, Path out, String system,
      String main, String heap) {
    List<String> flags = new ArrayList<>();
    // The flags come from the parent POM's tributary.jvm.flags, which launched this driver.
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")
          || arg.startsWith("-Dchronicle.") || arg.startsWith("-Darrow.")) {
        flags.add(arg);
      }
    }
    return java(spec, out, system, flags, System.getProperty("java.class.path"), main, heap);
  }

  /** A JVM on a peer module's class path, or null when that module was not built. */
  private static List<String> peerJvm(BenchSpec spec, Path out, String system, Path module,
      List<String> flags, String main, String heap) throws IOException {
    Path classes = module.resolve("target/classes");
    Path classpath = module.resolve("target/classpath.txt");
    if (!Files.isDirectory(classes) || !Files.exists(classpath)) {
      return null;
    }
    String cp = classes + java.io.File.pathSeparator + Files.readString(classpath).trim();
    return java(spec, out, system, flags, cp, main, heap);
  }

  private static List<String> java(BenchSpec spec, Path out, String system, List<String> flags,
      String classpath, String main, String heap) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.add(heap);
    List<String> specArgs = spec.toJvmArgs();
    command.addAll(specArgs);
    // Every other peers.* property (peers.workloads, peers.governor, ...) passes through as is.
    for (String key : System.getProperties().stringPropertyNames().stream().sorted().toList()) {
      if (key.startsWith("peers.")
          && specArgs.stream().noneMatch(a -> a.startsWith("-D" + key + "="))) {
        command.add("-D" + key + "=" + System.getProperty(key));
      }
    }
    if (Boolean.getBoolean("peers.jfr") && !system.equals("report")) {
      command.add("-XX:StartFlightRecording=filename=" + out.resolve("jfr").resolve(system + ".jfr")
          + ",settings=profile");
    }
    command.add("-cp");
    command.add(classpath);
    command.add(main);
    return command;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** How a captured JVM ended: its exit code (-1: timed out) and the last error it printed. */
  private record Launch(int exit, String lastError) {}

  /**
   * Like {@link #launch}, echoing the JVM's output while keeping its last error line (an
   * exception's first line, else the last line) for the report.
   */
  private static Launch launchCapturing(List<String> command, long timeoutMinutes)
      throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String[] last = {"", ""};
    Thread echo = new Thread(() -> {
      try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(
          p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          System.out.println(line);
          if (!line.isBlank() && !line.startsWith("\tat ")) {
            last[1] = line;
            if (line.contains("Exception") || line.contains("Error")) {
              last[0] = line;
            }
          }
        }
      } catch (IOException e) {
        last[1] = e.toString();
      }
    }, "peer-output");
    echo.start();
    if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      echo.join();
      return new Launch(-1, "timed out after " + timeoutMinutes + " min");
    }
    echo.join();
    String error = last[0].isEmpty() ? last[1] : last[0];
    return new Launch(p.exitValue(), error.length() > 160 ? error.substring(0, 160) + "..." : error);
  }

  private static int launch(List<String> command, long timeoutMinutes) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      System.out.println("timed out after " + timeoutMinutes + " min: " + command.get(command.size() - 1));
      return -1;
    }
    return p.exitValue();
  }
}
