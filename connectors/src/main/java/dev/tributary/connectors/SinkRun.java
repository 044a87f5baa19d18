package dev.tributary.connectors;

import dev.tributary.memory.Block;
import dev.tributary.memory.BlockCustody;
import java.io.IOException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runs a file sink: writes each block on an I/O thread of the scheduler it is given, closes it,
 * commits when the stream completes, aborts (deleting what it wrote) on error or cancel, and
 * releases every block it
 * received but did not write.
 */
final class SinkRun {
  private SinkRun() {}

  /** One write's state: what a sink does with blocks, and how it finishes. */
  interface Job {
    /** Writes one block (the caller closes it). */
    void write(Block block);

    /** Makes everything written visible and reports it. */
    WriteSummary commit() throws IOException;

    /** Removes everything written; never throws. */
    void abort();
  }

  /**
   * Writes {@code blocks} with a fresh job from {@code jobs} per subscription, on {@code io}
   * (threads that may block).
   */
  static Mono<WriteSummary> run(Flux<Block> blocks, java.util.function.Supplier<Job> jobs,
      Scheduler io) {
    return Mono.defer(() -> {
      Guarded job = new Guarded(jobs.get());
      BlockCustody custody = new BlockCustody();
      return blocks
          .doOnNext(custody::hold)
          .publishOn(io, 1)
          .doOnNext(b -> {
            if (custody.take(b)) {
              try {
                job.write(b);
              } finally {
                b.release(); // a no-op when the job kept the block (moved to its account)
              }
            }
          })
          .then(Mono.fromCallable(job::commit))
          // Errors arrive on the writing I/O thread: abort at once, before the error is seen.
          // A cancel may come from a non-blocking thread while a block is being written: abort
          // on an I/O thread, after that write (Guarded serialises them).
          .doOnError(e -> job.abort())
          .doOnCancel(() -> io.schedule(job::abort))
          .doFinally(signal -> custody.releaseAll());
    })
        // A job names its files from a random UUID (SecureRandom may read /dev/urandom): make
        // it, and subscribe, on an I/O thread, so a write may start from a non-blocking thread.
        .subscribeOn(io);
  }

  /**
   * Serialises a job's steps and makes abort final: a write racing a cancel either finishes
   * before the abort (which then deletes its file) or is skipped.
   */
  private static final class Guarded implements Job {
    private final Job job;
    private boolean aborted;

    Guarded(Job job) {
      this.job = job;
    }

    @Override
    public synchronized void write(Block block) {
      if (!aborted) {
        job.write(block);
      }
    }

    @Override
    public synchronized WriteSummary commit() throws IOException {
      if (aborted) {
        throw new IOException("the write was aborted");
      }
      return job.commit();
    }

    @Override
    public synchronized void abort() {
      if (!aborted) {
        aborted = true;
        job.abort();
      }
    }
  }
}
