package dev.tributary.samples.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Bytes;
import dev.tributary.micrometer.TributaryMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The WebFlux sample on 127.0.0.1: the Arrow stream decoded by Arrow's own reader holds every
 * generated row transformed; NDJSON the same rows; 50 concurrent slow clients (each reading one
 * piece at a time, most leaving early) keep the arena within its limit, and every byte comes
 * back once they are gone.
 */
class RowsServiceTest {
  private static final long ROWS = 100_000;
  /**
   * The arena's bound. 50 executions at once each need a few 512 KiB blocks (read, transform,
   * output): more than 48 MiB holds, so those that do not fit wait in the runtime's admission
   * queue (before admission control, some failed with MemoryLimitExceededException).
   */
  private static final long LIMIT = 48 * Bytes.MiB;

  @TempDir static Path dir;
  private static ConfigurableApplicationContext app;
  private static String base;
  private static TributaryRuntime runtime;

  @BeforeAll
  static void start() {
    app = SpringApplication.run(RowsService.class, "--server.port=0",
        "--sample.data-dir=" + dir.resolve("rows"), "--sample.rows=" + ROWS,
        "--tributary.memory-limit=48MB", "--tributary.target-max-block-size=512KB",
        "--tributary.fail-on-leak=true", "--tributary.name=rows-test");
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    base = "http://127.0.0.1:" + port;
    runtime = app.getBean(TributaryRuntime.class);
  }

  @AfterAll
  static void stop() {
    app.close();
    assertThat(runtime.isClosed()).isTrue();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  /** Decodes an Arrow stream; checks every row's transform; returns rows and the sum of ids. */
  private static long[] decode(byte[] stream) throws Exception {
    long rows = 0;
    long sum = 0;
    try (RootAllocator allocator = new RootAllocator();
        ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(stream),
            allocator)) {
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        Float8Vector x = (Float8Vector) reader.getVectorSchemaRoot().getVector("x");
        Float8Vector y = (Float8Vector) reader.getVectorSchemaRoot().getVector("y");
        for (int i = 0; i < id.getValueCount(); i++) {
          assertThat(x.get(i)).isEqualTo(id.get(i) / 10.0);
          assertThat(y.get(i)).isEqualTo(2 * x.get(i) + 1);
          sum += id.get(i);
        }
        rows += id.getValueCount();
      }
    }
    return new long[] {rows, sum};
  }

  private static Flux<byte[]> pieces(String path) {
    return HttpClient.create().get().uri(base + path).responseContent().asByteArray();
  }

  @Test
  void theArrowStreamHoldsEveryGeneratedRowTransformed() throws Exception {
    byte[] stream = pieces("/rows.arrow").reduce(new ByteArrayOutputStream(), (out, b) -> {
      out.writeBytes(b);
      return out;
    }).block().toByteArray();
    assertThat(decode(stream)).containsExactly(ROWS, ROWS * (ROWS - 1) / 2);
    awaitTrue(() -> runtime.arena().allocatedBytes() == 0);
  }

  @Test
  void ndjsonHasTheSameRows() throws Exception {
    List<String> lines = HttpClient.create().get().uri(base + "/rows.ndjson")
        .responseContent().asString().collectList()
        .map(parts -> List.of(String.join("", parts).split("\n"))).block();
    assertThat(lines).hasSize((int) ROWS);
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> row = json.readValue(lines.get(12_345),
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
    assertThat(row).containsEntry("id", 12_345).containsEntry("x", 1234.5)
        .containsEntry("y", 2470.0).containsEntry("label", "item-" + (12_345 % 97));
  }

  @Test
  void fiftySlowClientsStayWithinTheLimitAndGiveEveryByteBackWhenGone() throws Exception {
    runtime.arena().resetPeak();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    app.getBean(TributaryMetrics.class).bindTo(registry);
    // Each client asks for one 64 KiB piece at a time, a moment apart: a bounded request loop.
    // Ten read the whole stream; forty leave after 20 pieces, mid-stream.
    List<Mono<byte[]>> clients = new java.util.ArrayList<>();
    for (int c = 0; c < 50; c++) {
      Flux<byte[]> slow = pieces("/rows.arrow")
          .concatMap(p -> Mono.delay(Duration.ofMillis(2)).thenReturn(p));
      clients.add((c % 5 == 0 ? slow : slow.take(20))
          .reduce(new ByteArrayOutputStream(), (out, b) -> {
            out.writeBytes(b);
            return out;
          }).map(ByteArrayOutputStream::toByteArray));
    }
    List<byte[]> got = Flux.merge(clients).collectList().block(Duration.ofMinutes(5));
    assertThat(got).hasSize(50);
    long complete = 0;
    for (byte[] stream : got) {
      if (stream.length > 20 * 64 * 1024) {
        assertThat(decode(stream)).containsExactly(ROWS, ROWS * (ROWS - 1) / 2);
        complete++;
      }
    }
    assertThat(complete).isEqualTo(10);
    // The responses ran in the application's runtime (the starter's filter), not the default.
    assertThat(runtime.arena().peakBytes()).isPositive().isLessThanOrEqualTo(LIMIT);
    awaitTrue(() -> runtime.arena().allocatedBytes() == 0 && runtime.executions().isEmpty());
    // (An earlier test's execution may still have been ending when the registry was bound.)
    assertThat(registry.get("tributary.executions.completed").counter().count())
        .isGreaterThanOrEqualTo(50);
    assertThat(runtime.arena().allocatedBytes()).as(runtime.arena().report()).isZero();
    assertThat(runtime.executions()).isEmpty();
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
