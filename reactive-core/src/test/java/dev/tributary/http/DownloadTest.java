package dev.tributary.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.connectors.MissingInputException;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.UserFunctionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * {@code download}: the bodies of a URL column, in row order, at most {@code concurrency}
 * requests at once, retried on 503, counted against the memory limit; a 404 names the URL.
 */
class DownloadTest {
  private static final int BODY = 256 * 1024;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("download")
      .memoryLimit(16 * Bytes.MiB).failOnLeak(true).build();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger mostActive = new AtomicInteger();
  private final AtomicInteger flaky = new AtomicInteger();
  private DisposableServer server;

  /** Body of /item/{n}: {@link #BODY} bytes of value n % 128, after a moment in flight. */
  @BeforeEach
  void serve() {
    server = HttpServer.create().host("127.0.0.1").port(0)
        .route(routes -> routes
            .get("/item/{n}", (req, res) -> {
              int n = Integer.parseInt(req.param("n"));
              mostActive.accumulateAndGet(active.incrementAndGet(), Math::max);
              // Counted out when the body is made, before it is written: a count taken after
              // the write races the client, which may already send its next request.
              return res.sendByteArray(Mono.delay(Duration.ofMillis(5)).map(x -> {
                active.decrementAndGet();
                return body(n);
              }));
            })
            .get("/flaky", (req, res) -> flaky.incrementAndGet() < 3
                ? res.status(503).send() : res.sendByteArray(Mono.just(body(7)))))
        .bindNow();
  }

  @AfterEach
  void stop() {
    server.disposeNow();
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  private static byte[] body(int n) {
    byte[] b = new byte[BODY];
    Arrays.fill(b, (byte) (n % 128));
    return b;
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private Dataset urls(int n) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("i", (long) i);
      row.put("url", i == 3 ? null : url("/item/" + i));
      rows.add(row);
    }
    return Tributary.fromItems(rows).withRuntime(runtime);
  }

  @Test
  void eachRowGetsItsUrlsBodyInOrderWithinTheConcurrencyAndTheMemoryLimit() {
    // 200 bodies of 256 KiB: 50 MiB downloaded through a 16 MiB limit.
    Dataset ds = urls(200).download("url", "bytes", 4);
    List<long[]> seen = ds.toFlux(block -> {
      long[] ids = ColumnReader.longs(block, "i");
      byte[][] bytes = ColumnReader.binaries(block, "bytes");
      long[] out = new long[ids.length * 2];
      for (int r = 0; r < ids.length; r++) {
        out[2 * r] = ids[r];
        out[2 * r + 1] = bytes[r] == null ? -1 : bytes[r].length == BODY
            && bytes[r][0] == (byte) (ids[r] % 128) && bytes[r][BODY - 1] == bytes[r][0]
            ? 1 : 0;
      }
      return out;
    }).collectList().block();
    List<Long> ids = new ArrayList<>();
    for (long[] part : seen) {
      for (int r = 0; r < part.length; r += 2) {
        ids.add(part[r]);
        assertThat(part[r + 1]).as("row " + part[r]).isEqualTo(part[r] == 3 ? -1 : 1);
      }
    }
    assertThat(ids).hasSize(200).isSorted();
    assertThat(mostActive.get()).isBetween(1, 4);
    assertThat(ds.stats().arenaPeakBytes()).isLessThanOrEqualTo(16 * Bytes.MiB);
  }

  @Test
  void aServerErrorIsRetried() {
    Dataset ds = Tributary.fromItems(List.of(Map.of("url", url("/flaky"))))
        .withRuntime(runtime).download("url", "bytes");
    byte[] got = (byte[]) ds.takeAll().get(0).get("bytes");
    assertThat(got).hasSize(BODY);
    assertThat(flaky).hasValue(3);
  }

  @Test
  void aMissingUrlFailsNamingIt() {
    String missing = url("/none");
    Dataset ds = Tributary.fromItems(List.of(Map.of("url", missing)))
        .withRuntime(runtime).download("url", "bytes");
    assertThatThrownBy(ds::count).isInstanceOf(UserFunctionException.class)
        .hasCauseInstanceOf(MissingInputException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void theColumnsAreCheckedWhenThePlanIsBuilt() {
    Dataset ds = Tributary.range(1);
    assertThatThrownBy(() -> ds.download("nope", "bytes")).isInstanceOf(ColumnException.class);
    assertThatThrownBy(() -> ds.download("id", "id")).isInstanceOf(ColumnException.class);
    assertThatThrownBy(() -> ds.download("id", "b", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
