package dev.tributary;

import dev.tributary.memory.Block;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Subscription;
import reactor.core.Exceptions;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * A dataset's blocks one at a time on the calling thread ({@link Dataset#iterator()}), one block
 * ahead at most. Close it, with try-with-resources: closing cancels the execution, releases the
 * block fetched ahead and waits until the execution has given back its memory, also after a
 * {@code break} (Reactor's {@code toIterable()} never cancels then). Each block {@link #next()}
 * returns is the caller's to close.
 */
public final class BlockIterator implements Iterator<Block>, AutoCloseable {
  private static final Object COMPLETE = new Object();

  private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
  private final Receiver receiver = new Receiver();
  private volatile Execution execution;
  private Block next;
  private boolean done;
  private volatile boolean closed;

  /** A failure of the stream, as queued. */
  private record Failure(Throwable error) {}

  /** Starts the execution {@code start} makes, given a callback that receives it. */
  BlockIterator(Function<Consumer<Execution>, Flux<Block>> start) {
    start.apply(e -> {
      e.awaited();
      execution = e;
    }).subscribe(receiver);
  }

  /**
   * Whether another block comes, waiting for it on the calling thread.
   *
   * @throws RuntimeException the execution's error (the iterator is closed then)
   */
  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (done || closed) {
      return false;
    }
    Object o;
    try {
      o = arrived.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw Exceptions.propagate(e);
    }
    if (o instanceof Block b) {
      next = b;
      return true;
    }
    done = true;
    close();
    if (o instanceof Failure f) {
      throw Exceptions.propagate(f.error());
    }
    return false;
  }

  /** The next block, the caller's to close. */
  @Override
  public Block next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Block b = next;
    next = null;
    receiver.request(1);
    return b;
  }

  /**
   * Cancels the execution if it still runs, releases the block fetched ahead, and waits until
   * the execution has ended (its memory given back).
   *
   * @throws dev.tributary.memory.MemoryLeakException if the runtime fails on leaks and the
   *     execution leaked
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    receiver.dispose();
    if (next != null) {
      next.release();
      next = null;
    }
    releaseArrived();
    Execution e = execution;
    if (e != null) {
      e.whenEnded().block();
    }
  }

  private void releaseArrived() {
    Object o;
    while ((o = arrived.poll()) != null) {
      if (o instanceof Block b) {
        b.release();
      }
    }
  }

  private final class Receiver extends BaseSubscriber<Block> {
    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      request(1);
    }

    @Override
    protected void hookOnNext(Block block) {
      arrived.add(block);
      if (closed) {
        releaseArrived(); // arrived racing close
      }
    }

    @Override
    protected void hookOnError(Throwable error) {
      arrived.add(new Failure(error));
    }

    @Override
    protected void hookOnComplete() {
      arrived.add(COMPLETE);
    }
  }
}
