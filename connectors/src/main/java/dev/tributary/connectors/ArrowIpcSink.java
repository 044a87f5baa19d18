package dev.tributary.connectors;

import dev.tributary.memory.Block;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a stream of blocks as Arrow IPC files (file format), one record batch per block,
 * atomically like {@link ParquetSink}. Blocks are closed once written.
 */
public final class ArrowIpcSink {
  private final Path directory;
  private final long rowsPerFile;

  private ArrowIpcSink(Path directory, long rowsPerFile) {
    this.directory = directory;
    this.rowsPerFile = rowsPerFile;
  }

  /** A sink into {@code directory}, one file per stream. */
  public static ArrowIpcSink to(Path directory) {
    return new ArrowIpcSink(Objects.requireNonNull(directory, "directory"), Long.MAX_VALUE);
  }

  /** Starts a new file once a file holds at least {@code rows} rows (whole blocks per file). */
  public ArrowIpcSink rowsPerFile(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerFile must be >= 1, was " + rows);
    }
    return new ArrowIpcSink(directory, rows);
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
    private VectorSchemaRoot root;
    private ArrowFileWriter writer;

    Job() {
      super(directory, ".arrow", rowsPerFile, "writeArrow");
    }

    @Override
    void openFile(Path path, Schema schema) throws IOException {
      root = VectorSchemaRoot.create(schema, account().allocator());
      writer = new ArrowFileWriter(root, null,
          FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      writer.start();
    }

    @Override
    void writeRows(Block block) throws IOException {
      // A block is one record batch: it goes whole into the current file.
      fileForWhole(block.rowCount());
      try (ArrowRecordBatch batch = new VectorUnloader(block.root()).getRecordBatch()) {
        new VectorLoader(root).load(batch);
        writer.writeBatch();
      }
      root.clear();
    }

    @Override
    void closeFile() throws IOException {
      writer.end();
      writer.close();
      release();
    }

    @Override
    void release() {
      if (root != null) {
        root.close();
        root = null;
      }
    }
  }

}
