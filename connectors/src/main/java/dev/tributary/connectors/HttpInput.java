package dev.tributary.connectors;

import dev.tributary.error.TributaryException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

/**
 * Input over HTTP(S) with Reactor Netty, the product's one HTTP client: a GET whose body is read
 * as a blocking stream at the reader's pace ({@link #open}), and whole downloads into temporary
 * files for the file readers ({@link #download}). A 404 or 410 (or another 4xx) is a {@link
 * MissingInputException} naming the URL; 5xx and 429 are {@link HttpStatusException}s, retried
 * with the read's {@link RetryPolicy} like connection errors. Only a request is retried, never a
 * body already partly read: a failure after the first byte ends the read.
 */
public final class HttpInput {
  /**
   * The retries for URLs named to the file readers ({@code readParquet("https://...")}): 3
   * attempts with 100 ms to 1 s backoff on I/O errors (connection refused or reset, 5xx, 429).
   * Unlike local files, which errors of a web server pass is well known.
   */
  public static final RetryPolicy DEFAULT_RETRY = RetryPolicy.none()
      .retrying(List.of(IOException.class));
  /**
   * How long a download's response may take to begin, and its body may pause, before the
   * request fails. Streams read at a pipeline's pace ({@link #open}) have none: a reader that
   * stops reading pauses the body on purpose (that is the backpressure), for as long as it likes.
   */
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

  /** Netty's pooled connections, shared: one client for all reads of the process. */
  private static final HttpClient STREAMS = HttpClient.create().followRedirect(true);
  /** The same, with the response timeout, for whole downloads. */
  private static final HttpClient CLIENT = STREAMS.responseTimeout(RESPONSE_TIMEOUT);
  /** Deletes the files of a download once nothing refers to what they were read for. */
  private static final Cleaner DOWNLOADS = Cleaner.create();
  /**
   * Downloaded files not deleted yet, deleted by one shutdown hook at exit. Unlike {@code
   * File.deleteOnExit}, whose list only grows (a leak in a long-running server), a file leaves
   * this set when it is deleted.
   */
  private static final Set<Path> UNDELETED = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> UNDELETED.forEach(HttpInput::delete),
        "tributary-http-downloads"));
  }

  private HttpInput() {}

  /** Whether {@code path} is an {@code http://} or {@code https://} URL. */
  public static boolean isUrl(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return p.startsWith("http://") || p.startsWith("https://");
  }

  /**
   * The body of a GET of {@code url} as a blocking stream, once the server answered 200: the
   * request (connecting, the status) is retried as {@code retry} says, waits on {@code
   * scheduler}. Read and close the stream on a thread that may block.
   */
  public static Mono<InputStream> open(String url, RetryPolicy retry, Scheduler scheduler) {
    return open(url, retry, scheduler, STREAMS);
  }

  private static Mono<InputStream> open(String url, RetryPolicy retry, Scheduler scheduler,
      HttpClient client) {
    URI uri = uri(url);
    return Mono.<InputStream>create(sink -> {
      Flux<byte[]> body = client.get().uri(uri).response((response, content) -> {
        int status = response.status().code();
        if (status == 200) {
          return content.asByteArray();
        }
        return Flux.error(statusError(url, status, response.status().reasonPhrase()));
      });
      // The stream's first signal tells whether the request succeeded; the body then flows at
      // the reader's pace through the same subscription.
      sink.success(new HttpBody(body));
    }).flatMap(in -> firstSignal(in))
        .retryWhen(retry.spec(scheduler))
        .onErrorMap(e -> !(e instanceof TributaryException),
            e -> new MissingInputException(url, "cannot be fetched", e));
  }

  /**
   * The whole body of a GET of {@code url} as bytes, without blocking: the request is retried as
   * {@code retry} says (waits on {@code scheduler}); a 404 or other 4xx is a {@link
   * MissingInputException}.
   */
  public static Mono<byte[]> fetch(String url, RetryPolicy retry, Scheduler scheduler) {
    URI uri = uri(url);
    return CLIENT.get().uri(uri).responseSingle((response, content) -> {
      int status = response.status().code();
      return status == 200 ? content.asByteArray().defaultIfEmpty(new byte[0])
          : Mono.<byte[]>error(statusError(url, status, response.status().reasonPhrase()));
    }).retryWhen(retry.spec(scheduler))
        .onErrorMap(e -> !(e instanceof TributaryException),
            e -> new MissingInputException(url, "cannot be fetched", e));
  }

  /**
   * Downloads {@code url} into a temporary file (named after the URL's last segment) and returns
   * it, adding it to {@code temporary}; blocks the caller. See {@link #deleteWhenUnreachable}.
   *
   * @throws MissingInputException if the server answers 404 or another 4xx, or the request
   *     still fails after the retries
   */
  static Path download(String url, RetryPolicy retry, List<Path> temporary) {
    String name = uri(url).getPath();
    String suffix = name.contains("/") ? name.substring(name.lastIndexOf('/') + 1) : name;
    try (InputStream in = open(url, retry, Schedulers.boundedElastic(), CLIENT).block()) {
      Path file = Files.createTempFile("tributary-http-", "-" + suffix.replaceAll("[^\\w.-]", "_"));
      UNDELETED.add(file);
      temporary.add(file);
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new MissingInputException(url, "the download failed", e);
    }
  }

  /** Deletes {@code files} once {@code owner} is unreachable (or at exit, whichever first). */
  static void deleteWhenUnreachable(Object owner, List<Path> files) {
    if (files.isEmpty()) {
      return;
    }
    List<Path> copy = List.copyOf(files);
    DOWNLOADS.register(owner, () -> copy.forEach(HttpInput::delete));
  }

  /** Deletes {@code files} now (a plan that failed after downloading them). */
  static void deleteNow(List<Path> files) {
    files.forEach(HttpInput::delete);
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Best effort: a temporary file that cannot be deleted now stays for the OS to clean.
    }
    UNDELETED.remove(file);
  }

  /** Waits (on the caller's scheduler) for the body's first signal: data, end, or the error. */
  private static Mono<InputStream> firstSignal(InputStream in) {
    return Mono.fromCallable(() -> {
      java.io.PushbackInputStream peek = new java.io.PushbackInputStream(in, 1);
      try {
        int b = peek.read();
        if (b >= 0) {
          peek.unread(b);
        }
        return (InputStream) peek;
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
    });
  }

  private static Throwable statusError(String url, int status, String reason) {
    if (status == 429 || status >= 500) {
      return new HttpStatusException(url, status, reason);
    }
    return new MissingInputException(url, status == 404 || status == 410
        ? "HTTP " + status + " " + reason + " (no such resource)"
        : "HTTP " + status + " " + reason);
  }

  /** {@code url} parsed; refused as a {@link MissingInputException} when it has no host. */
  static URI uri(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        throw new URISyntaxException(url, "no host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new MissingInputException(url, "not a valid URL", e);
    }
  }
}
