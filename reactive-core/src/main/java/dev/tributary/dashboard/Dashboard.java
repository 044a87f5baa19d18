package dev.tributary.dashboard;

import dev.tributary.ExecutionListener;
import dev.tributary.ExecutionStats;
import dev.tributary.RunningExecution;
import dev.tributary.TributaryRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A live dashboard of one runtime, served by Reactor Netty: {@code Dashboard.start(runtime)}
 * binds 127.0.0.1 on a free port ({@link #uri()}); nothing is served unless started.
 *
 * <ul>
 *   <li>{@code GET /}: the page (no external scripts): running executions with each operator's
 *       memory held / budget, rows, rows/s, spilled bytes, time throttled and backpressured, and
 *       charts of memory held and rows/s per operator over the last minutes; recent executions
 *       below. It follows {@code /events}.
 *   <li>{@code GET /events}: server-sent events, one JSON snapshot per {@link
 *       Builder#interval(Duration) interval} (one second by default) as {@code data:} lines, for
 *       {@link Builder#eventStreamLength(Duration) ten minutes}; the page then reconnects.
 *   <li>{@code GET /api/executions}: the same snapshot once, as {@code application/json}.
 * </ul>
 *
 * <p>The snapshot reads counters only, on Reactor's parallel scheduler; a page left open costs
 * one JSON document per interval. It shows operator names, which may contain plan details: bind
 * another address ({@link Builder#host(String)}) only behind the service's own access control.
 */
public final class Dashboard implements AutoCloseable {
  private static final String PAGE = "dashboard.html";
  /** How long a page waits before it reconnects to an event stream that ended. */
  private static final long RECONNECT_MILLIS = 2_000;

  private final TributaryRuntime runtime;
  private final Deque<DashboardJson.Ended> recent = new ArrayDeque<>();
  private final int keepRecent;
  private final AutoCloseable listening;
  private final DisposableServer server;

  private Dashboard(Builder b) {
    this.runtime = b.runtime;
    this.keepRecent = b.recent;
    byte[] page = page();
    this.listening = runtime.addListener(new ExecutionListener() {
      @Override
      public void ended(RunningExecution execution, ExecutionStats stats) {
        remember(new DashboardJson.Ended(execution.name(), System.currentTimeMillis(), stats));
      }
    });
    Duration interval = b.interval;
    Duration streamLength = b.streamLength;
    this.server = HttpServer.create().host(b.host).port(b.port)
        .route(routes -> routes
            .get("/", (req, res) -> res.header("content-type", "text/html; charset=utf-8")
                .sendByteArray(Mono.just(page)))
            .get("/api/executions", (req, res) -> res.header("content-type", "application/json")
                .sendString(Mono.fromSupplier(this::json)))
            .get("/events", (req, res) -> res.header("content-type", "text/event-stream")
                .header("cache-control", "no-cache")
                .sendString(Flux.interval(Duration.ZERO, interval, Schedulers.parallel())
                    .take(streamLength)
                    .map(tick -> (tick == 0 ? "retry: " + RECONNECT_MILLIS + "\n" : "")
                        + "data: " + json() + "\n\n"), StandardCharsets.UTF_8)))
        .bindNow();
  }

  /** A dashboard of {@code runtime} on 127.0.0.1, a free port, one update a second. */
  public static Dashboard start(TributaryRuntime runtime) {
    return builder(runtime).start();
  }

  /** Settings for a dashboard of {@code runtime}. */
  public static Builder builder(TributaryRuntime runtime) {
    return new Builder(Objects.requireNonNull(runtime, "runtime"));
  }

  private void remember(DashboardJson.Ended ended) {
    synchronized (recent) {
      recent.addFirst(ended);
      while (recent.size() > keepRecent) {
        recent.removeLast();
      }
    }
  }

  private String json() {
    List<DashboardJson.Ended> ended;
    synchronized (recent) {
      ended = List.copyOf(recent);
    }
    return DashboardJson.of(runtime, ended);
  }

  private static byte[] page() {
    try (InputStream in = Dashboard.class.getResourceAsStream(PAGE)) {
      return Objects.requireNonNull(in, PAGE + " is packaged with this class").readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The address it listens on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.address();
  }

  /** The page's address, e.g. {@code http://127.0.0.1:43127/}. */
  public URI uri() {
    return URI.create("http://" + address().getHostString() + ":" + address().getPort() + "/");
  }

  /** Stops serving (open event streams end) and stops listening to the runtime. */
  @Override
  public void close() {
    server.disposeNow();
    try {
      listening.close();
    } catch (Exception e) {
      throw new IllegalStateException(e); // removing a listener from a list does not fail
    }
  }

  /** Where and how a dashboard serves. */
  public static final class Builder {
    private final TributaryRuntime runtime;
    private String host = "127.0.0.1";
    private int port;
    private Duration interval = Duration.ofSeconds(1);
    private int recent = 20;
    private Duration streamLength = Duration.ofMinutes(10);

    private Builder(TributaryRuntime runtime) {
      this.runtime = runtime;
    }

    /** The address to bind: 127.0.0.1 (this machine only) unless told. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port: 0 (any free one, see {@link Dashboard#uri()}) unless told. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** Time between two updates of the page: one second unless told. */
    public Builder interval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive, was " + interval);
      }
      this.interval = interval;
      return this;
    }

    /**
     * How long one event stream lasts: ten minutes unless told. The page then reconnects (after
     * two seconds), so proxies never see an endless response and a page left open for days holds
     * no connection for that long.
     */
    public Builder eventStreamLength(Duration length) {
      if (length.isNegative() || length.isZero()) {
        throw new IllegalArgumentException("eventStreamLength must be positive, was " + length);
      }
      this.streamLength = length;
      return this;
    }

    /** How many ended executions it lists: 20 unless told. */
    public Builder recent(int executions) {
      if (executions < 0) {
        throw new IllegalArgumentException("recent must be >= 0, was " + executions);
      }
      this.recent = executions;
      return this;
    }

    /** Binds and serves (blocks until bound). */
    public Dashboard start() {
      return new Dashboard(this);
    }
  }
}
