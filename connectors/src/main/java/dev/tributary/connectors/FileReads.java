package dev.tributary.connectors;

import dev.tributary.error.TributaryException;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How the sources that read files front to back (CSV, JSON lines, Arrow IPC, text lines, whole
 * files) apply {@link ReadSettings}: opening a file, or reading a group of whole files, is
 * retried on the retried error types with backoff; each file's blocks (each group's block) are
 * guarded by the read's errored-block allowance, so a failure skips the rest of that file; files
 * opened and their sizes are counted in {@link ReadStats}.
 */
final class FileReads {
  /** Opens a file for reading; I/O errors may be retried. */
  interface Opener<R> {
    R open(Path file) throws IOException;
  }

  private FileReads() {}

  /**
   * Every file's blocks in order: {@code open}, then {@code blocks} with the file's partition
   * columns appended, then a quiet close.
   */
  static <R extends AutoCloseable> Flux<Block> eachFile(InputFiles files, ReadSettings settings,
      ReadStats stats, Opener<R> open, BlockReader<R> blocks) {
    HivePartitions partitions = files.partitions();
    return Flux.defer(() -> {
      ErrorAllowance allowance = new ErrorAllowance(settings, stats);
      return Flux.fromIterable(files.paths()).concatMap(file -> allowance.guard(
          retried(() -> open.open(file), file, "opening", settings)
              .doOnNext(r -> stats.recordRead(sizeOf(file)))
              .flatMapMany(r -> Flux.using(() -> r, res -> blocks.blocks(file, res)
                      .map(b -> partitions.append(b, file)),
                  FileReads::closeQuietly))), 1);
    });
  }

  /** Reads a file's blocks from its opened resource. */
  interface BlockReader<R> {
    Flux<Block> blocks(Path file, R resource);
  }

  /**
   * One block per group of {@code perGroup} files, a row per file: {@code read} (retried per
   * file) loads each file of the group, {@code build} makes the group's block, to which each
   * row's partition columns are appended; an unreadable file makes its group one errored block.
   */
  static <T> Flux<Block> groups(InputFiles files, int perGroup, ReadSettings settings,
      ReadStats stats, Opener<T> read, Function<List<T>, Block> build) {
    HivePartitions partitions = files.partitions();
    return Flux.defer(() -> {
      ErrorAllowance allowance = new ErrorAllowance(settings, stats);
      return Flux.fromIterable(files.paths()).buffer(perGroup).concatMap(group ->
          allowance.guard(Flux.fromIterable(group).concatMap(file ->
                  retried(() -> read.open(file), file, "whole file", settings)
                      .doOnNext(x -> stats.recordRead(sizeOf(file))))
              .collectList().map(build).map(b -> partitions.appendRows(b, group)).flux()), 1);
    });
  }

  /** {@code call}, retried as the settings say, its other errors typed as naming the file. */
  static <T> Mono<T> retried(Callable<T> call, Path file, String where,
      ReadSettings settings) {
    return Mono.fromCallable(call)
        .retryWhen(settings.retry().spec(settings.scheduler()))
        .onErrorMap(e -> !(e instanceof TributaryException),
            e -> new CorruptInputException(file, where, e));
  }

  /** Closes a reader; only read from, so a failed close loses nothing. */
  static void closeQuietly(AutoCloseable reader) {
    try {
      reader.close();
    } catch (Exception e) {
      // nothing to lose
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0; // counted as opened; the size is only a statistic
    }
  }
}
