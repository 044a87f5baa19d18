package dev.tributary.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.MissingInputException;
import dev.tributary.memory.Bytes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * Arrow over HTTP on 127.0.0.1: a dataset served as an Arrow stream and as NDJSON, decoded by
 * Arrow's own reader and Jackson, read back as a governed source; a slow client throttles the
 * pipeline within its memory bound, a client leaving mid-stream gives every byte back.
 */
class ArrowHttpTest {
  private static final long LIMIT = 16 * Bytes.MiB;
  private static final long TOTAL = 12_000_000;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("http-server")
      .memoryLimit(LIMIT).failOnLeak(true).build();
  private final List<DisposableServer> servers = new ArrayList<>();

  @AfterEach
  void noLeaks() {
    servers.forEach(DisposableServer::disposeNow);
    awaitTrue(() -> runtime.arena().allocatedBytes() == 0);
    assertThat(runtime.arena().allocatedBytes()).as(runtime.arena().report()).isZero();
    runtime.close();
  }

  /** 20,000 rows: id and a text column, in 8 blocks. */
  private Dataset rows() {
    return Tributary.range(20_000, 8).withRuntime(runtime)
        .map(r -> Map.of("id", r.get("id"), "name", "row-" + r.get("id")));
  }

  private String serve(Dataset dataset) {
    DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
        .route(routes -> routes.get("/rows", ArrowHttp.serve(dataset))).bindNow();
    servers.add(server);
    return "http://127.0.0.1:" + server.port() + "/rows";
  }

  @Test
  void anArrowStreamIsDecodedByArrowsOwnReaderWithEveryRow() throws Exception {
    String url = serve(rows());
    var response = HttpClient.create().get().uri(url)
        .responseSingle((res, body) -> body.asByteArray()
            .map(bytes -> Map.entry(res.responseHeaders().get("Content-Type"), bytes)))
        .block();
    assertThat(response.getKey()).isEqualTo(ArrowHttp.ARROW_STREAM);
    long rows = 0;
    try (RootAllocator allocator = new RootAllocator();
        ArrowStreamReader reader = new ArrowStreamReader(
            new ByteArrayInputStream(response.getValue()), allocator)) {
      while (reader.loadNextBatch()) {
        BigIntVector ids = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        VarCharVector names = (VarCharVector) reader.getVectorSchemaRoot().getVector("name");
        for (int i = 0; i < ids.getValueCount(); i++) {
          assertThat(ids.get(i)).isEqualTo(rows);
          assertThat(new String(names.get(i), StandardCharsets.UTF_8)).isEqualTo("row-" + rows);
          rows++;
        }
      }
    }
    assertThat(rows).isEqualTo(20_000);
  }

  @Test
  void ndjsonIsSentWhenTheClientAcceptsIt() throws Exception {
    String url = serve(rows());
    String body = HttpClient.create().headers(h -> h.set("Accept", ArrowHttp.NDJSON))
        .get().uri(url).responseContent().aggregate().asString().block();
    String[] lines = body.split("\n");
    assertThat(lines).hasSize(20_000);
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < lines.length; i++) {
      assertThat(json.readValue(lines[i], Map.class))
          .isEqualTo(Map.of("id", i, "name", "row-" + i));
    }
  }

  @Test
  void readArrowStreamReadsTheServedDatasetBack() {
    String url = serve(rows());
    List<Map<String, Object>> back = Tributary.readArrowStream(url).takeAll();
    assertThat(back).hasSize(20_000);
    for (int i = 0; i < back.size(); i++) {
      assertThat(back.get(i)).isEqualTo(Map.of("id", (long) i, "name", "row-" + i));
    }
    assertThat(Tributary.readArrowStream(url).count()).isEqualTo(20_000);
  }

  @Test
  void anEmptyDatasetIsAStreamWithItsSchemaAndNoRows() {
    String url = serve(Tributary.range(0).withRuntime(runtime));
    Dataset back = Tributary.readArrowStream(url);
    assertThat(back.takeAll()).isEmpty();
  }

  @Test
  void aMissingStreamIsMissingInputNotCorrupt() {
    String url = serve(rows()).replace("/rows", "/nothing");
    assertThatThrownBy(() -> Tributary.readArrowStream(url).count())
        .isInstanceOf(MissingInputException.class)
        .hasMessageContaining(url).hasMessageContaining("404");
    assertThatThrownBy(() -> Tributary.readArrowStream("ftp://host/x"))
        .isInstanceOf(MissingInputException.class);
  }

  @Test
  void aServerErrorIsRetriedWithBackoff() {
    Dataset data = rows();
    AtomicInteger calls = new AtomicInteger();
    DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
        .route(routes -> routes.get("/flaky", (req, res) -> calls.incrementAndGet() < 3
            ? res.status(503).send() : ArrowHttp.serve(data).apply(req, res)))
        .bindNow();
    servers.add(server);
    assertThat(Tributary.readArrowStream("http://127.0.0.1:" + server.port() + "/flaky")
        .count()).isEqualTo(20_000);
    assertThat(calls).hasValue(3);
  }

  /**
   * 12M int64 ids in 300 blocks: 92 MiB of Arrow, well above what the server's memory limit,
   * the transport's prefetch and both sockets' buffers hold together.
   */
  private Dataset large(AtomicLong produced) {
    return Tributary.range(TOTAL, 300).withRuntime(runtime)
        .mapBatchesArrow((root, account) -> {
          produced.addAndGet(root.getRowCount());
          return root;
        }, dev.tributary.MapBatchesOptions.defaults());
  }

  @Test
  void aSlowClientThrottlesThePipelineWithinItsMemoryLimit() {
    AtomicLong produced = new AtomicLong();
    String url = serve(large(produced));
    AtomicLong received = new AtomicLong();
    Reader reader = new Reader(received);
    HttpClient.create().get().uri(url).responseContent().asByteArray().subscribe(reader);
    // The client takes a few pieces, then stops reading: TCP windows and the transport fill.
    awaitTrue(() -> received.get() > 0);
    awaitQuiet(produced);
    // At most the memory limit, both sockets' buffers and the 4 pieces handed to Netty: a
    // third of the stream (measured: about an eighth).
    assertThat(produced.get()).as("rows the server produced while the client stalled")
        .isLessThan(TOTAL / 3);
    assertThat(runtime.arena().peakBytes()).isLessThanOrEqualTo(LIMIT);
    reader.resume();
    awaitTrue(reader::done);
    if (reader.error != null) {
      throw new AssertionError("the client failed", reader.error);
    }
    assertThat(produced.get()).isEqualTo(TOTAL);
    assertThat(runtime.arena().peakBytes()).isLessThanOrEqualTo(LIMIT);
  }

  @Test
  void aClientLeavingMidStreamCancelsTheExecutionAndGivesEveryByteBack() {
    AtomicLong produced = new AtomicLong();
    String url = serve(large(produced));
    AtomicLong received = new AtomicLong();
    Reader reader = new Reader(received);
    HttpClient.create().get().uri(url).responseContent().asByteArray().subscribe(reader);
    awaitTrue(() -> received.get() > 0);
    awaitTrue(() -> runtime.arena().allocatedBytes() > 0 || produced.get() > 0);
    reader.dispose(); // closes the connection
    awaitTrue(() -> runtime.arena().allocatedBytes() == 0);
    awaitQuiet(produced);
    assertThat(produced.get()).isLessThan(TOTAL);
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  /** Reads a few pieces, then nothing until resumed. */
  private static final class Reader extends BaseSubscriber<byte[]> {
    private final AtomicLong received;
    private volatile boolean done;
    private volatile Throwable error;

    Reader(AtomicLong received) {
      this.received = received;
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      subscription.request(4);
    }

    @Override
    protected void hookOnNext(byte[] value) {
      received.addAndGet(value.length);
    }

    @Override
    protected void hookOnError(Throwable throwable) {
      error = throwable;
      done = true;
    }

    @Override
    protected void hookOnComplete() {
      done = true;
    }

    void resume() {
      requestUnbounded();
    }

    boolean done() {
      return done;
    }
  }

  /** Waits (up to 30 s) until {@code condition} holds. */
  static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      sleep(10);
    }
  }

  /** Waits until {@code counter} has not moved for 300 ms (the pipeline is held back). */
  static void awaitQuiet(AtomicLong counter) {
    long last = -1;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (counter.get() != last && System.nanoTime() < deadline) {
      last = counter.get();
      sleep(300);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
