package dev.tributary.connectors;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * A blocking {@link InputStream} over an HTTP response body (a Reactor Netty byte stream), for
 * readers that pull (Arrow's stream reader, {@code Files.copy}). It requests {@value #WINDOW}
 * buffers ahead and one more per buffer consumed, so an unread body stops Netty's reads and TCP
 * flow control slows the sender: the reader's pace is the transfer's. Read it on a thread that
 * may block (the {@code io} scheduler); closing it cancels the transfer.
 */
final class HttpBody extends InputStream {
  /** Buffers requested ahead of the reader (Netty's are at most 64 KiB each). */
  static final int WINDOW = 4;
  /** Marks the end of the body in the queue. */
  private static final byte[] END = new byte[0];

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Receiver receiver = new Receiver();
  private byte[] current = new byte[0];
  private int position;
  private boolean ended;

  HttpBody(Flux<byte[]> body) {
    body.subscribe(receiver);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (position == current.length) {
      if (ended || !next()) {
        return -1;
      }
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    return n;
  }

  /** Takes the next buffer (blocking); false at the end of the body. */
  private boolean next() throws IOException {
    Object item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      receiver.dispose();
      throw new InterruptedIOException("interrupted while reading an HTTP body");
    }
    if (item instanceof Throwable t) {
      ended = true;
      if (t instanceof IOException io) {
        throw io;
      }
      if (t instanceof RuntimeException r) {
        throw r; // typed already (a status that will not pass): not an I/O error to retry
      }
      throw new IOException(t.getMessage(), t);
    }
    if (item == END) {
      ended = true;
      return false;
    }
    current = (byte[]) item;
    position = 0;
    receiver.request(1);
    return true;
  }

  @Override
  public void close() {
    receiver.dispose();
    ended = true;
    queue.clear();
  }

  /** Queues what the body delivers; demand comes from the reader only. */
  private final class Receiver extends BaseSubscriber<byte[]> {
    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      subscription.request(WINDOW);
    }

    @Override
    protected void hookOnNext(byte[] value) {
      queue.add(value);
    }

    @Override
    protected void hookOnComplete() {
      queue.add(END);
    }

    @Override
    protected void hookOnError(Throwable error) {
      queue.add(error);
    }
  }
}
