package dev.tributary.connectors;

import dev.tributary.memory.Block;
import dev.tributary.memory.BlockCustody;
import java.io.IOException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Runs a file sink: writes each block on an I/O thread, closes it, commits when the stream
 * completes, aborts (deleting what it wrote) on error or cancel, and releases every block it
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

  /** Writes {@code blocks} with a fresh job from {@code jobs} per subscription. */
  static Mono<WriteSummary> run(Flux<Block> blocks, java.util.function.Supplier<Job> jobs) {
    return Mono.defer(() -> {
      Job job = jobs.get();
      BlockCustody custody = new BlockCustody();
      return blocks
          .doOnNext(custody::hold)
          .publishOn(Schedulers.boundedElastic(), 1)
          .doOnNext(b -> {
            if (custody.take(b)) {
              try (b) {
                job.write(b);
              }
            }
          })
          .then(Mono.fromCallable(job::commit))
          .doOnError(e -> job.abort())
          .doOnCancel(job::abort)
          .doFinally(signal -> custody.releaseAll());
    });
  }
}
