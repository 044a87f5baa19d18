package dev.tributary.connectors;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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

  /** Writes every block (on an I/O thread) and completes with what was written. */
  public Mono<WriteSummary> write(Flux<Block> blocks) {
    return SinkRun.run(blocks, Job::new);
  }


  private final class Job implements SinkRun.Job {
    private final AtomicFiles files = new AtomicFiles(directory, ".arrow");
    private VectorSchemaRoot root;
    private ArrowFileWriter writer;
    private long rowsInFile;
    private long rows;

    @Override
    public void write(Block block) {
      try {
        if (root != null && !root.getSchema().equals(block.schema())) {
          throw new SchemaMismatchException("writeArrow to " + directory, root.getSchema(),
              block.schema());
        }
        if (writer == null || rowsInFile >= rowsPerFile) {
          roll(block);
        }
        try (ArrowRecordBatch batch = new VectorUnloader(block.root()).getRecordBatch()) {
          new VectorLoader(root).load(batch);
          writer.writeBatch();
        }
        root.clear();
        rowsInFile += block.rowCount();
        rows += block.rowCount();
      } catch (IOException e) {
        throw new UncheckedIOException("writing " + files.current(), e);
      }
    }

    private void roll(Block block) throws IOException {
      closeFile();
      if (root == null) {
        root = VectorSchemaRoot.create(block.schema(), block.owner().allocator());
      }
      FileChannel channel = FileChannel.open(files.next(), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      writer = new ArrowFileWriter(root, null, channel);
      writer.start();
      rowsInFile = 0;
    }

    private void closeFile() throws IOException {
      if (writer != null) {
        ArrowFileWriter w = writer;
        writer = null;
        w.end();
        w.close();
      }
    }

    @Override
    public WriteSummary commit() throws IOException {
      try {
        closeFile();
        return files.commit(rows);
      } finally {
        closeRoot();
      }
    }

    @Override
    public void abort() {
      try {
        closeFile();
      } catch (IOException | RuntimeException e) {
        // The files are deleted next; a failed close cannot leave anything visible.
      }
      closeRoot();
      files.abort();
    }

    private void closeRoot() {
      if (root != null) {
        root.close();
        root = null;
      }
    }
  }
}
