package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * Reads Arrow IPC files, in the file format ({@code ARROW1} magic) or the stream format, as one
 * block per record batch. Reads block on file I/O: subscribe on an I/O scheduler.
 */
public final class ArrowIpcSource {
  private static final byte[] FILE_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

  private final InputFiles files;

  private ArrowIpcSource(InputFiles files) {
    this.files = files;
  }

  /**
   * A source over {@code .arrow} files, directories of them, or globs; Hive partition directories
   * become columns ({@link Partitioning#hive()}).
   */
  public static ArrowIpcSource of(List<String> paths) {
    return of(paths, Partitioning.hive());
  }

  /** A source over Arrow IPC files, partition directories read as {@code partitioning} says. */
  public static ArrowIpcSource of(List<String> paths, Partitioning partitioning) {
    return new ArrowIpcSource(InputFiles.expand(paths, partitioning, ".arrow"));
  }

  /** The files this source reads, in order. */
  public List<Path> files() {
    return files.paths();
  }

  /** Every record batch as a block charged to {@code account}, read on subscription. */
  public Flux<Block> blocks(Account account) {
    return blocks(account, ReadSettings.defaults(Long.MAX_VALUE), new ReadStats());
  }

  /**
   * Every record batch as a block charged to {@code account}, read as {@code settings} say:
   * opening a file is retried on the retried error types; a file that fails ends there and
   * counts as one errored block while the allowance lasts. Files opened are counted in {@code
   * stats}.
   */
  public Flux<Block> blocks(Account account, ReadSettings settings, ReadStats stats) {
    return FileReads.eachFile(files, settings, stats, file -> open(file, account),
        (file, reader) -> batches(reader, account,
            (where, e) -> new CorruptInputException(file, where, e)));
  }

  /**
   * The reader's record batches as blocks in {@code account}; a failure to decode one is typed
   * by {@code corrupt} (given the batch's position), a memory limit passes as it is.
   */
  static Flux<Block> batches(ArrowReader reader, Account account,
      BiFunction<String, Exception, RuntimeException> corrupt) {
    int[] batch = {0};
    return Flux.generate((SynchronousSink<Block> sink) -> {
      int b = batch[0]++;
      try {
        if (!reader.loadNextBatch()) {
          sink.complete();
          return;
        }
        sink.next(account.allocate(() -> adopt(reader, account)));
      } catch (IOException | RuntimeException e) {
        sink.error(e instanceof dev.tributary.memory.MemoryLimitExceededException m ? m
            : corrupt.apply("record batch " + b, e));
      }
    });
  }

  /** Moves the reader's current batch into a block of its own (the reader reuses its root). */
  private static Block adopt(ArrowReader reader, Account account) {
    try {
      return Block.adopt(reader.getVectorSchemaRoot(), account);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ArrowReader open(Path file, Account account) throws IOException {
    byte[] head = new byte[FILE_MAGIC.length];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, head.length);
      if (n == head.length && Arrays.equals(head, FILE_MAGIC)) {
        return new ArrowFileReader(FileChannel.open(file), account.allocator());
      }
    }
    return new ArrowStreamReader(Files.newInputStream(file), account.allocator());
  }
}
