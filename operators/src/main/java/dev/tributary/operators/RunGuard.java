package dev.tributary.operators;

import dev.tributary.memory.Block;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.scheduler.Scheduler;

/**
 * Serialises a pipeline breaker's steps (on its I/O thread) against the end of its subscription
 * (a cancel from any thread): once closed, no step starts; a step running when the close comes
 * finishes, then frees what the run holds. Freeing runs on the I/O scheduler when it may block
 * (deleting a spill file).
 */
public final class RunGuard {
  private final Runnable free;
  private final Scheduler io;
  /** Guarded by this. */
  private boolean busy;
  /** Guarded by this. */
  private boolean closed;

  /** Guards a run whose resources {@code free} releases, on {@code io}. */
  public RunGuard(Runnable free, Scheduler io) {
    this.free = Objects.requireNonNull(free, "free");
    this.io = Objects.requireNonNull(io, "io");
  }

  /**
   * Runs {@code work} unless the run is closed; releases {@code input} (if not null) after it
   * either way (a no-op for a block the work closed or moved).
   */
  public void step(Runnable work, Block input) {
    synchronized (this) {
      if (closed) {
        if (input != null) {
          input.release();
        }
        return;
      }
      busy = true;
    }
    try {
      work.run();
    } finally {
      if (input != null) {
        input.release();
      }
      boolean freeNow;
      synchronized (this) {
        busy = false;
        freeNow = closed;
      }
      if (freeNow) {
        free.run();
      }
    }
  }

  /**
   * Ends the run: frees now on an I/O thread, or after the step in progress; inline when the I/O
   * scheduler no longer takes work (disposed: its runtime is closing, and the memory must still
   * come back).
   */
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (busy) {
        return;
      }
    }
    try {
      io.schedule(free);
    } catch (RejectedExecutionException e) {
      free.run();
    }
  }
}
