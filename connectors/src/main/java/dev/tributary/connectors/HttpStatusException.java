package dev.tributary.connectors;

import java.io.IOException;

/**
 * An HTTP server answered a request for input with an error status that may pass (5xx, 429):
 * an {@link IOException}, so {@link HttpInput#DEFAULT_RETRY} retries it. A status that will not
 * pass (404, other 4xx) is a {@link MissingInputException} instead.
 */
public final class HttpStatusException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /** Reports that {@code url} answered {@code status} ({@code reason} as the server said). */
  public HttpStatusException(String url, int status, String reason) {
    super("GET " + url + " answered HTTP " + status + " " + reason);
    this.status = status;
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }
}
