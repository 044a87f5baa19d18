package dev.tributary.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.util.context.Context;

/**
 * Hands a response's pieces to Reactor Netty at most {@value #WINDOW} ahead of the socket. Netty's
 * sender requests up to 128 items whatever the client's pace; this asks its source for a new
 * piece only when Netty has released one, which it does once the piece went into the channel's
 * outbound buffer, and that happens only while the channel is writable (the client reads). So a
 * response holds at most {@value #WINDOW} pieces of 64 KiB beyond the socket's buffer, and a slow
 * client stops the source at once.
 */
final class WrittenPieces {
  /** Pieces handed to Netty and not yet written. */
  static final int WINDOW = 4;

  private WrittenPieces() {}

  /** {@code pieces} as Netty buffers, at most {@link #WINDOW} unwritten at any time. */
  static Flux<ByteBuf> of(Flux<byte[]> pieces) {
    return Flux.create(sink -> {
      Window window = new Window(sink);
      sink.onDispose(window::dispose);
      pieces.subscribe(window);
    }, FluxSink.OverflowStrategy.BUFFER);
  }

  /** Requests a piece for each one written. */
  private static final class Window extends BaseSubscriber<byte[]> {
    private final FluxSink<ByteBuf> sink;

    Window(FluxSink<ByteBuf> sink) {
      this.sink = sink;
    }

    /** The response's context (a runtime or data context put there reaches the execution). */
    @Override
    public Context currentContext() {
      return Context.of(sink.contextView());
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      subscription.request(WINDOW);
    }

    @Override
    protected void hookOnNext(byte[] piece) {
      sink.next(new Piece(piece, () -> request(1)));
    }

    @Override
    protected void hookOnComplete() {
      sink.complete();
    }

    @Override
    protected void hookOnError(Throwable error) {
      sink.error(error);
    }
  }

  /** A heap buffer over one piece that says when Netty is done with it. */
  private static final class Piece extends UnpooledHeapByteBuf {
    private final Runnable released;

    Piece(byte[] bytes, Runnable released) {
      super(UnpooledByteBufAllocator.DEFAULT, bytes, bytes.length);
      this.released = released;
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      released.run();
    }
  }
}
