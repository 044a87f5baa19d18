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
        case "tributary" -> tributaryJvm(spec, out, system, TributaryRunner.class.getName());
        case "raw-arrow" -> tributaryJvm(spec, out, system, RawArrowRunner.class.getName());
        case "spark" -> peerJvm(spec, out, system, peers.resolve("spark"), SPARK_FLAGS,
            "dev.tributary.bench.spark.SparkRunner");
        case "duckdb" -> peerJvm(spec, out, system, peers.resolve("duckdb"), List.of(),
            "dev.tributary.bench.duckdb.DuckDbRunner");
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
    Harness.deleteRecursively(spec.workDir());
    List<String> report = peerJvm(spec, out, "report", peers.resolve("report"),
        List.of("-Djava.awt.headless=true"), "dev.tributary.bench.report.Report");
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
      String main) {
    List<String> flags = new ArrayList<>();
    // The flags come from the parent POM's tributary.jvm.flags, which launched this driver.
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")
          || arg.startsWith("-Dchronicle.") || arg.startsWith("-Darrow.")) {
        flags.add(arg);
      }
    }
    return java(spec, out, system, flags, System.getProperty("java.class.path"), main);
  }

  /** A JVM on a peer module's class path, or null when that module was not built. */
  private static List<String> peerJvm(BenchSpec spec, Path out, String system, Path module,
      List<String> flags, String main) throws IOException {
    Path classes = module.resolve("target/classes");
    Path classpath = module.resolve("target/classpath.txt");
    if (!Files.isDirectory(classes) || !Files.exists(classpath)) {
      return null;
    }
    String cp = classes + java.io.File.pathSeparator + Files.readString(classpath).trim();
    return java(spec, out, system, flags, cp, main);
  }

  private static List<String> java(BenchSpec spec, Path out, String system, List<String> flags,
      String classpath, String main) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.add(HEAP);
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
