package dev.tributary.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.BlockIterator;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

/**
 * The dashboard over HTTP with Reactor Netty's client: the JSON snapshot and the server-sent
 * events show a running execution (held at its first block) with its operators, then list it
 * as recent once it ended; the page is served; in headless Chromium (when installed) the page
 * renders the running execution from the event stream, and a screenshot is kept in
 * {@code target/surefire-reports/dashboard.png}.
 */
class DashboardTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("dashboard")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  // Event streams of 1.5 s: headless Chromium dumps a page once its network is idle.
  private final Dashboard dashboard = Dashboard.builder(runtime)
      .interval(Duration.ofMillis(100)).eventStreamLength(Duration.ofMillis(1_500)).start();
  private final HttpClient client = HttpClient.create();

  @AfterEach
  void close() {
    dashboard.close();
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  private Dataset pipeline() {
    return Tributary.range(200_000, 20).withRuntime(runtime)
        .map(r -> Map.of("id", r.get("id"), "twice", (Long) r.get("id") * 2));
  }

  private String get(String path) {
    return client.get().uri(dashboard.uri().resolve(path).toString()).responseContent()
        .aggregate().asString(StandardCharsets.UTF_8).block(Duration.ofSeconds(30));
  }

  /** The first {@code n} events' data, parsed, split at the blank lines that end events. */
  private List<JsonNode> events(int n) {
    return client.get().uri(dashboard.uri().resolve("events").toString()).responseContent()
        .asString(StandardCharsets.UTF_8)
        .concatMapIterable(new EventSplitter()::feed)
        .take(n).map(DashboardTest::parse).collectList().block(Duration.ofSeconds(30));
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  /** Accumulates text and hands out each complete event's data line. */
  private static final class EventSplitter {
    private final StringBuilder pending = new StringBuilder();

    List<String> feed(String chunk) {
      pending.append(chunk);
      List<String> out = new ArrayList<>();
      int end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        String event = pending.substring(0, end);
        pending.delete(0, end + 2);
        // The first event also tells the page how long to wait before it reconnects.
        String data = event.substring(event.indexOf("data: ") + "data: ".length());
        out.add(data);
      }
      return out;
    }
  }

  @Test
  void itListensOnLoopbackOnlyUnlessTold() {
    assertThat(dashboard.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(dashboard.uri().toString()).startsWith("http://127.0.0.1:");
  }

  @Test
  void snapshotsAndEventsShowARunningExecutionThenListItAsRecent() {
    JsonNode idle = parse(get("api/executions"));
    assertThat(idle.get("runtime").asText()).isEqualTo("dashboard");
    assertThat(idle.get("memory").get("limit").asLong()).isEqualTo(64 * Bytes.MiB);
    assertThat(idle.get("running")).isEmpty();

    try (BlockIterator blocks = pipeline().iterator()) {
      blocks.next().close(); // the execution runs, held by backpressure
      JsonNode now = parse(get("api/executions"));
      assertThat(now.get("running")).hasSize(1);
      JsonNode execution = now.get("running").get(0);
      assertThat(execution.get("name").asText()).contains("Range[200000]");
      assertThat(execution.get("limit").asLong()).isEqualTo(64 * Bytes.MiB);
      JsonNode operators = execution.get("operators");
      assertThat(operators).hasSizeGreaterThanOrEqualTo(2);
      assertThat(operators.get(0).get("name").asText()).startsWith("Range");
      assertThat(operators.get(0).get("rowsOut").asLong()).isPositive();
      for (JsonNode op : operators) {
        assertThat(op.get("budget").asLong()).isPositive();
        assertThat(op.get("held").asLong()).isBetween(0L, 64 * Bytes.MiB);
        assertThat(op.has("spilled")).isTrue();
      }
      List<JsonNode> events = events(2);
      assertThat(events).allSatisfy(e -> {
        assertThat(e.get("running")).hasSize(1);
        assertThat(e.get("running").get(0).get("name").asText())
            .isEqualTo(execution.get("name").asText());
      });
      assertThat(events.get(1).get("time").asLong())
          .isGreaterThanOrEqualTo(events.get(0).get("time").asLong());
    }
    JsonNode after = awaitRecent();
    assertThat(after.get("running")).isEmpty();
    JsonNode ended = after.get("recent").get(0);
    assertThat(ended.get("name").asText()).contains("Range[200000]");
    assertThat(ended.get("operators").get(0).get("rowsOut").asLong()).isPositive();
  }

  @Test
  void thePageFollowsTheEventStream() {
    String page = get("");
    assertThat(page).startsWith("<!DOCTYPE html>").contains("new EventSource(\"events\")")
        .contains("<canvas").doesNotContain("<script src");
    assertThat(pipeline().count()).isEqualTo(200_000);
    assertThat(awaitRecent().get("recent")).hasSize(1);
  }

  @Test
  void headlessChromiumRendersTheRunningExecution() throws Exception {
    Path browser = Flux.just("chromium-headless-shell", "chromium").map(name -> Path.of("/usr/bin",
        name)).filter(Files::isExecutable).blockFirst();
    assumeTrue(browser != null, "headless Chromium is not installed (Debian package"
        + " chromium-headless-shell)");
    try (BlockIterator blocks = pipeline().iterator()) {
      blocks.next().close();
      Path screenshot = Path.of("target", "surefire-reports", "dashboard.png").toAbsolutePath();
      Files.createDirectories(screenshot.getParent());
      Files.deleteIfExists(screenshot);
      String dom = chromium(browser, "--dump-dom");
      // What the script rendered from the events (the script's own text is in the DOM too).
      assertThat(dom).containsPattern("<section class=\"execution\"><h3>[^<]*Range\\[200000\\]")
          .contains("<th>held / budget</th>").contains("<td style=\"color:#e4572e\">Map</td>");
      chromium(browser, "--screenshot=" + screenshot, "--window-size=1280,900");
      assertThat(screenshot).isNotEmptyFile();
    }
    awaitRecent();
  }

  private String chromium(Path browser, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(browser.toString(), "--headless",
        "--no-sandbox", "--disable-gpu", "--virtual-time-budget=1000"));
    command.addAll(List.of(args));
    command.add(dashboard.uri().toString());
    Path out = Files.createTempFile("chromium", ".out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(false)
          .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium ended").isTrue();
      } finally {
        p.destroyForcibly();
      }
      return Files.readString(out);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Polls the snapshot until an ended execution is listed (its end is asynchronous). */
  private JsonNode awaitRecent() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode now = parse(get("api/executions"));
    while (now.get("recent").isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      now = parse(get("api/executions"));
    }
    assertThat(now.get("recent")).as("an ended execution is listed").isNotEmpty();
    return now;
  }
}
