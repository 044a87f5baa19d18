package dev.tributary.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;

/**
 * A real standalone Spark cluster on 127.0.0.1 for tests: a Master and Worker JVMs started from
 * the test's class path (a fake {@code SPARK_HOME}, free ports), and a session on it once its
 * executors are up. Closing stops the session and every process started.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(90);

  private final Path dir;
  private final List<Process> started = new ArrayList<>();
  private final String master;
  private SparkSession session;

  /**
   * Starts a Master and {@code workers} Workers of {@code cores} cores and {@code memory} each
   * (logs and work directories under {@code dir}).
   */
  StandaloneCluster(Path dir, int workers, int cores, String memory) throws Exception {
    this.dir = dir;
    Path home = Files.createDirectories(dir.resolve("spark-home/jars"));
    int masterPort = freePort();
    try {
      launch(home.getParent(), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(freePort()));
      await(() -> listening(masterPort), "the master");
      master = "spark://127.0.0.1:" + masterPort;
      for (int w = 0; w < workers; w++) {
        launch(home.getParent(), "org.apache.spark.deploy.worker.Worker", "--host",
            "127.0.0.1", "--cores", Integer.toString(cores), "--memory", memory, "--webui-port",
            Integer.toString(freePort()), "--work-dir", dir.resolve("work-" + w).toString(),
            master);
      }
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /**
   * A session on the cluster from {@code builder} (master, driver host and executor class path
   * set here), once {@code executors} executors registered.
   */
  SparkSession session(SparkSession.Builder builder, int executors) throws Exception {
    session = builder.master(master)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        // Tributary's JVM flags, as a user's cluster needs them: an operator spilling in a task
        // opens Chronicle Map, which compiles code at run time.
        .config("spark.executor.extraJavaOptions", (System.getProperty("tributary.jvm.flags",
            "") + " " + System.getProperty("spark.executor.extraJavaOptions", "")).trim())
        .getOrCreate();
    SparkSession running = session;
    await(() -> running.sparkContext().getExecutorMemoryStatus().size() >= executors + 1,
        executors + " executors");
    return session;
  }

  @Override
  public void close() throws InterruptedException {
    if (session != null) {
      session.stop();
      // The Workers stop their executors now: let them exit on their own (their shutdown hooks
      // run, e.g. a flight recording's dump) before the rest is killed.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      for (Process p : started) {
        p.descendants().forEach(d -> d.onExit().completeOnTimeout(d,
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).join());
      }
    }
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void launch(Path sparkHome, String main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Xmx512m"));
    command.addAll(List.of(System.getProperty("spark.jvm.flags", "").split(" ")));
    command.removeIf(String::isBlank);
    command.add(main);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(main.substring(main.lastIndexOf('.') + 1) + "-"
            + System.nanoTime() + ".log").toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    started.add(builder.start());
  }

  /** A condition checked until it holds or {@link #READY} passes (setup, not an assertion). */
  static void await(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + READY.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A condition to wait for. */
  @FunctionalInterface
  interface Check {
    boolean holds() throws Exception;
  }
}
