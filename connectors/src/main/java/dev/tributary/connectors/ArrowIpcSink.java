package dev.tributary.connectors;

import dev.tributary.memory.Block;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a stream of blocks as Arrow IPC files (file format), one record batch per block (or per
 * part of a block cut by a file or partition boundary), atomically like {@link ParquetSink};
 * {@link #partitionBy(String...)} writes Hive-style partition directories. Blocks are closed
 * once written.
 */
public final class ArrowIpcSink {
  private final Path directory;
  private final long rowsPerFile;
  private final List<String> partitionBy;

  private ArrowIpcSink(Path directory, long rowsPerFile, List<String> partitionBy) {
    this.directory = directory;
    this.rowsPerFile = rowsPerFile;
    this.partitionBy = partitionBy;
  }

  /**
   * A sink into {@code directory}, one file per stream.
   *
   * @throws WriteException if {@code directory} is an existing file
   */
  public static ArrowIpcSink to(Path directory) {
    AtomicFiles.checkTarget(Objects.requireNonNull(directory, "directory"));
    return new ArrowIpcSink(directory, Long.MAX_VALUE, List.of());
  }

  /** Starts a new file every {@code rows} rows (in each partition). */
  public ArrowIpcSink rowsPerFile(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerFile must be >= 1, was " + rows);
    }
    return new ArrowIpcSink(directory, rows, partitionBy);
  }

  /**
   * Writes Hive-style partition directories ({@code c1=v1/part-....arrow}) by the values of
   * {@code columns}, which the files do not repeat, as {@link ParquetSink#partitionBy(String...)}
   * does.
   *
   * @throws IllegalArgumentException if no column is given
   * @throws dev.tributary.memory.ColumnException if a column is given twice
   */
  public ArrowIpcSink partitionBy(String... columns) {
    return new ArrowIpcSink(directory, rowsPerFile, FileJob.partitionColumns(columns));
  }

  /**
   * Writes every block on an I/O thread of Reactor's bounded-elastic scheduler and completes with
   * what was written.
   */
  public Mono<WriteSummary> write(Flux<Block> blocks) {
    return write(blocks, Schedulers.boundedElastic());
  }

  /** Writes every block on an I/O thread of {@code io} and completes with what was written. */
  public Mono<WriteSummary> write(Flux<Block> blocks, Scheduler io) {
    return SinkRun.run(blocks, Job::new, io);
  }


  private final class Job extends FileJob {
    Job() {
      super(directory, ".arrow", rowsPerFile, partitionBy, "writeArrow");
    }

    @Override
    FileOut open(Path path, Schema schema) throws IOException {
      return new ArrowFile(path, schema, account().allocator());
    }
  }

  /**
   * One Arrow IPC file: a root of the file's schema in the job's account, into which every
   * block's buffers are loaded (zero-copy) to be written as a record batch.
   */
  private static final class ArrowFile implements FileJob.FileOut {
    private final VectorSchemaRoot root;
    private final ArrowFileWriter writer;

    ArrowFile(Path path, Schema schema, BufferAllocator allocator) throws IOException {
      root = VectorSchemaRoot.create(schema, allocator);
      FileChannel channel = null;
      try {
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writer = new ArrowFileWriter(root, null, channel);
        writer.start();
      } catch (IOException | RuntimeException e) {
        if (channel != null) {
          channel.close();
        }
        root.close();
        throw e;
      }
    }

    @Override
    public void write(Block block) throws IOException {
      try (ArrowRecordBatch batch = new VectorUnloader(block.root()).getRecordBatch()) {
        new VectorLoader(root, NoCompressionCodec.Factory.INSTANCE).load(batch);
        writer.writeBatch();
      } finally {
        root.clear();
      }
    }

    @Override
    public void close() throws IOException {
      try {
        writer.end();
        writer.close();
      } finally {
        root.close();
      }
    }
  }

}
