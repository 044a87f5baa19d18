package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import reactor.core.publisher.Flux;

/**
 * Reads an Arrow IPC stream ({@code application/vnd.apache.arrow.stream}) from an HTTP(S) URL,
 * one block per record batch, as it arrives: the body is read at the pace blocks are demanded,
 * so a governed pipeline's backpressure reaches the server through TCP flow control. The request
 * is retried as the read's {@link RetryPolicy} says ({@link HttpInput#DEFAULT_RETRY} when it
 * retries nothing); a 404 is a {@link MissingInputException}, a body that is not an Arrow stream
 * a {@link CorruptInputException} naming the URL and batch. Reads block: subscribe on an I/O
 * scheduler.
 */
public final class ArrowStreamSource {
  private final String url;

  private ArrowStreamSource(String url) {
    this.url = url;
  }

  /**
   * A source over the stream at {@code url}; nothing is fetched until a read.
   *
   * @throws MissingInputException if {@code url} is not an {@code http(s)://} URL with a host
   */
  public static ArrowStreamSource of(String url) {
    Objects.requireNonNull(url, "url");
    if (!HttpInput.isUrl(url)) {
      throw new MissingInputException(url, "not an http:// or https:// URL");
    }
    HttpInput.uri(url);
    return new ArrowStreamSource(url);
  }

  /** The URL read. */
  public String url() {
    return url;
  }

  /**
   * Every record batch as a block charged to {@code account}, fetched on subscription; the
   * request and the body's bytes are counted in {@code stats} (one fragment per stream).
   */
  public Flux<Block> blocks(Account account, ReadSettings settings, ReadStats stats) {
    RetryPolicy retry = settings.retry().retried().isEmpty() ? HttpInput.DEFAULT_RETRY
        : settings.retry();
    return HttpInput.open(url, retry, settings.scheduler())
        .subscribeOn(settings.scheduler())
        .flatMapMany(body -> Flux.using(
            () -> new ArrowStreamReader(new Counted(body, stats), account.allocator()),
            reader -> ArrowIpcSource.batches(reader, account,
                (where, e) -> new CorruptInputException(url, where, e)),
            FileReads::closeQuietly));
  }

  /** Counts the body's bytes into the read's stats as they are read. */
  private static final class Counted extends FilterInputStream {
    private final ReadStats stats;

    Counted(InputStream in, ReadStats stats) {
      super(in);
      this.stats = stats;
      stats.recordRead(0);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        stats.addBytes(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        stats.addBytes(n);
      }
      return n;
    }
  }
}
