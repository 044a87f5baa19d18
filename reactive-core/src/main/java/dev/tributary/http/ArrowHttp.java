package dev.tributary.http;

import dev.tributary.Dataset;
import dev.tributary.connectors.ArrowStreamEncoder;
import dev.tributary.connectors.NdjsonEncoder;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiFunction;
import org.apache.arrow.vector.types.pojo.Schema;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Serves a {@link Dataset} over HTTP: as an Arrow IPC stream ({@value #ARROW_STREAM}) or as
 * newline-delimited JSON ({@value #NDJSON}). Each response executes the dataset once and sends
 * it block by block, each block encoded into pieces of at most 64 KiB and closed before the next
 * is taken. {@link #serve} hands Netty at most 4 pieces beyond what the socket took, so a
 * response holds one block's encoding, 256 KiB and the socket's buffer; a client that reads
 * slowly stops the dataset's governed pipeline at once; a client that disconnects cancels the
 * execution, which releases every block. ({@link #arrowStream} and {@link #ndjson} alone are as
 * far ahead as the server requests: Reactor Netty's sender requests up to {@code
 * reactor.netty.send.maxPrefetchSize}, 128, pieces; {@link #written} bounds them.)
 *
 * <p>With Reactor Netty:
 * <pre>{@code
 * HttpServer.create().route(routes -> routes.get("/rows", ArrowHttp.serve(dataset))).bindNow();
 * }</pre>
 * With Spring WebFlux on Reactor Netty: {@code
 * ArrowHttp.written(ArrowHttp.arrowStream(dataset)).map(nettyDataBufferFactory::wrap)}.
 * Read it back with {@link dev.tributary.Tributary#readArrowStream(String)}, pyarrow's {@code
 * ipc.open_stream}, or any Arrow library.
 */
public final class ArrowHttp {
  /** The media type of the Arrow IPC stream format. */
  public static final String ARROW_STREAM = ArrowStreamEncoder.MEDIA_TYPE;
  /** The media type of newline-delimited JSON. */
  public static final String NDJSON = NdjsonEncoder.MEDIA_TYPE;

  private static final NdjsonEncoder JSON = new NdjsonEncoder();

  private ArrowHttp() {}

  /**
   * The dataset as an Arrow IPC stream: the schema, one record batch per block, the end marker.
   * Each subscription executes the dataset; blocks are released once encoded.
   */
  public static Flux<byte[]> arrowStream(Dataset dataset) {
    Objects.requireNonNull(dataset, "dataset");
    return Flux.defer(() -> {
      ArrowStreamEncoder encoder = new ArrowStreamEncoder();
      return dataset.toFlux(encoder::encode)
          .flatMapIterable(pieces -> pieces, 1)
          .concatWith(Flux.defer(() -> encoder.started()
              ? Flux.fromIterable(encoder.end(null))
              // No block came: the reader still needs the schema (asked for only then).
              : Mono.fromCallable(() -> schemaOf(dataset))
                  .subscribeOn(dataset.runtime().ioScheduler())
                  .flatMapIterable(encoder::end)));
    });
  }

  /**
   * The dataset's rows as newline-delimited JSON, one object per row. Each subscription executes
   * the dataset; blocks are released once encoded.
   */
  public static Flux<byte[]> ndjson(Dataset dataset) {
    Objects.requireNonNull(dataset, "dataset");
    return dataset.toFlux(JSON::encode).flatMapIterable(pieces -> pieces, 1);
  }

  /**
   * {@code pieces} (from {@link #arrowStream} or {@link #ndjson}) as Netty buffers handed to the
   * transport at most 4 ahead of the socket: a new piece is asked for only when Netty has
   * written one. For WebFlux on Reactor Netty, wrap them with {@code NettyDataBufferFactory}
   * (Spring then passes the buffers through unchanged) to get the bound {@link #serve} has.
   */
  public static Flux<ByteBuf> written(Flux<byte[]> pieces) {
    return WrittenPieces.of(Objects.requireNonNull(pieces, "pieces"));
  }

  /**
   * A Reactor Netty route handler sending the dataset: as NDJSON when the request's {@code
   * Accept} header names {@value #NDJSON} (or {@code application/jsonl}) before any Arrow type,
   * else as an Arrow IPC stream.
   */
  public static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> serve(
      Dataset dataset) {
    Objects.requireNonNull(dataset, "dataset");
    return (request, response) -> {
      boolean json = wantsNdjson(request.requestHeaders().get("Accept"));
      return response.header("Content-Type", json ? NDJSON : ARROW_STREAM)
          .send(WrittenPieces.of(json ? ndjson(dataset) : arrowStream(dataset)));
    };
  }

  /** Whether an {@code Accept} header prefers NDJSON to the Arrow stream. */
  static boolean wantsNdjson(String accept) {
    if (accept == null) {
      return false;
    }
    String a = accept.toLowerCase(Locale.ROOT);
    int json = Math.max(a.indexOf(NDJSON), a.indexOf("application/jsonl"));
    int arrow = a.indexOf("application/vnd.apache.arrow");
    return json >= 0 && (arrow < 0 || json < arrow);
  }

  private static Schema schemaOf(Dataset dataset) {
    Schema schema = dataset.schema();
    return schema != null ? schema : new Schema(List.of());
  }
}
