package dev.tributary.connectors;

import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runs a file sink: writes each block on an I/O thread of the scheduler it is given, releases
 * it, publishes the files when the stream completes, discards them on error or cancel, and
 * releases every block it received but did not write.
 *
 * <p>Nothing of a failed or cancelled write is left by the time the error reaches the subscriber
 * or {@code dispose()} returns: an error discards the files on the writing thread before it is
 * passed on; a cancel discards them on the cancelling thread at once (deleting names only; a
 * block being written keeps writing into a file without a name), and the writers are closed
 * after the write in progress, on the I/O thread.
 */
final class SinkRun {
  private SinkRun() {}

  /** One write's state: what a sink does with blocks, and how it finishes. */
  interface Job {
    /**
     * Writes one block (the caller releases it after; the job may keep it by moving it to an
     * account of its own); on the writing thread.
     */
    void write(Block block);

    /** Finishes every open file; on the writing thread. */
    void finish();

    /** Makes everything written visible, all or nothing, and reports it. */
    WriteSummary publish();

    /** Removes everything written, unless published; from any thread, at any time. */
    void discard();

    /** Frees what the job holds (open writers); never while a write runs, never throws. */
    void close();
  }

  /**
   * Writes {@code blocks} with a fresh job from {@code jobs} per subscription, on {@code io}
   * (threads that may block).
   */
  static Mono<WriteSummary> run(Flux<Block> blocks, Supplier<Job> jobs, Scheduler io) {
    return Mono.defer(() -> {
      Guarded job = new Guarded(jobs.get(), io);
      return HandOff.consume(blocks, io, job::write)
          .then(Mono.fromSupplier(job::commit))
          .doOnError(e -> job.abort())
          .doOnCancel(job::cancel);
    })
        // A job names its files from a random UUID (SecureRandom may read /dev/urandom): make
        // it, and subscribe, on an I/O thread, so a write may start from a non-blocking thread.
        .subscribeOn(io);
  }

  /**
   * Serialises a job's steps against a cancel from another thread: once stopped, no step starts;
   * a step running when a cancel comes finishes (its failure then means nothing) and closes the
   * job; publishing and a cancel exclude each other, so a cancel either comes too late (the files
   * are published) or removes them all.
   */
  private static final class Guarded {
    private final Job job;
    /** Where a cancel closes the writers. */
    private final Scheduler io;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Cancelled or failed: no step runs any more. Guarded by this. */
    private boolean stopped;
    /** A step runs on the writing thread. Guarded by this. */
    private boolean busy;
    /** The files are visible; a cancel changes nothing. Guarded by this. */
    private boolean published;

    Guarded(Job job, Scheduler io) {
      this.job = job;
      this.io = io;
    }

    /**
     * Writes {@code block} unless stopped, and releases it either way (a no-op when the job kept
     * it, moved to its account) before a cancel's cleanup runs.
     */
    void write(Block block) {
      step(() -> job.write(block), block);
    }

    /** Finishes and publishes; null if cancelled meanwhile. */
    WriteSummary commit() {
      if (!step(job::finish, null)) {
        return null;
      }
      synchronized (this) {
        if (stopped) {
          return null;
        }
        WriteSummary summary = job.publish();
        published = true;
        return summary;
      }
    }

    /** After an error, on the writing thread: discards and closes now. */
    void abort() {
      synchronized (this) {
        if (published) {
          return;
        }
        stopped = true;
      }
      job.discard();
      closeOnce();
    }

    /** From any thread: discards now; closes after the step in progress, on an I/O thread. */
    void cancel() {
      boolean idle;
      synchronized (this) {
        if (published || stopped) {
          return;
        }
        stopped = true;
        idle = !busy;
      }
      job.discard();
      if (idle) {
        // Closing writers may write (a footer into a file without a name): not on this thread,
        // unless the I/O scheduler takes no more work (its runtime is closing).
        try {
          io.schedule(this::closeOnce);
        } catch (RejectedExecutionException e) {
          closeOnce();
        }
      }
    }

    /**
     * Runs {@code body} unless stopped, then releases {@code input} (if not null) either way;
     * returns whether it ran to the end unstopped.
     */
    private boolean step(Runnable body, Block input) {
      synchronized (this) {
        if (stopped) {
          release(input);
          return false;
        }
        busy = true;
      }
      boolean stoppedMeanwhile;
      try {
        body.run();
      } catch (RuntimeException e) {
        synchronized (this) {
          if (!stopped) {
            throw e;
          }
        }
        // Cancelled while it ran (a discarded file may fail its writer): nothing to report.
      } finally {
        // Before closing the writers (which may write and take long): a cancelled write's
        // blocks are all back once its write in progress has stopped.
        release(input);
        synchronized (this) {
          busy = false;
          stoppedMeanwhile = stopped;
        }
        if (stoppedMeanwhile) {
          closeOnce();
        }
      }
      return !stoppedMeanwhile;
    }

    private static void release(Block input) {
      if (input != null) {
        input.release();
      }
    }

    private void closeOnce() {
      if (closed.compareAndSet(false, true)) {
        job.close();
        job.discard(); // a file a racing write created after the discard goes too
      }
    }
  }
}
