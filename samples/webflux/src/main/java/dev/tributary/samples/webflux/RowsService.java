package dev.tributary.samples.webflux;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.http.ArrowHttp;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;

/**
 * The sample service: {@code GET /rows.arrow} and {@code GET /rows.ndjson} stream the Parquet
 * dataset in {@code sample.data-dir} (generated at start-up if missing: {@code sample.rows}
 * rows of {@code id}, {@code x}, {@code label}) through a transform that adds {@code y = 2x + 1}.
 * Each response is one execution in the runtime bean (the starter's filter puts it into the
 * request's Reactor context): a slow client slows its execution, a client that leaves cancels
 * it, and all responses together stay within {@code tributary.memory-limit}.
 */
@SpringBootApplication
public class RowsService {
  private static final NettyDataBufferFactory NETTY =
      new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);
  /** Starts the service. */
  public static void main(String[] args) {
    SpringApplication.run(RowsService.class, args);
  }

  /** The dataset every response streams: the Parquet files through the transform. */
  @Bean
  public Dataset rows(TributaryRuntime runtime, @Value("${sample.data-dir}") Path dir,
      @Value("${sample.rows:200000}") long rows) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir.getParent());
      // Seeded and deterministic: row i has x = i / 10.0 and label "item-" + (i % 97).
      Tributary.range(rows, 16).withRuntime(runtime)
          .mapBatches(batch -> {
            long[] id = (long[]) batch.get("id");
            double[] x = new double[id.length];
            String[] label = new String[id.length];
            for (int i = 0; i < id.length; i++) {
              x[i] = id[i] / 10.0;
              label[i] = "item-" + (id[i] % 97);
            }
            return Map.of("id", id, "x", x, "label", label);
          })
          .writeParquet(dir.toString());
    }
    return Tributary.readParquet(dir.toString())
        .mapBatches(batch -> {
          double[] x = (double[]) batch.get("x");
          double[] y = new double[x.length];
          for (int i = 0; i < x.length; i++) {
            y[i] = 2 * x[i] + 1;
          }
          Map<String, Object> out = new LinkedHashMap<>(batch);
          out.put("y", y);
          return out;
        });
  }

  /** The two routes. */
  @Bean
  public RouterFunction<ServerResponse> routes(Dataset rows) {
    return RouterFunctions.route()
        .GET("/rows.arrow", request -> ServerResponse.ok()
            .contentType(MediaType.parseMediaType(ArrowHttp.ARROW_STREAM))
            .body(BodyInserters.fromDataBuffers(buffers(ArrowHttp.arrowStream(rows)))))
        .GET("/rows.ndjson", request -> ServerResponse.ok()
            .contentType(MediaType.parseMediaType(ArrowHttp.NDJSON))
            .body(BodyInserters.fromDataBuffers(buffers(ArrowHttp.ndjson(rows)))))
        .build();
  }

  /**
   * The pieces as Netty buffers at most 4 ahead of the socket ({@link ArrowHttp#written}),
   * wrapped so that Spring hands them to Reactor Netty unchanged.
   */
  private static Flux<DataBuffer> buffers(Flux<byte[]> pieces) {
    return ArrowHttp.written(pieces).map(NETTY::wrap);
  }
}
