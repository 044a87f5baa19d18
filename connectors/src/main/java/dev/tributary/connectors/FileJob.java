package dev.tributary.connectors;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The part every file sink shares: one schema for the whole write, files rolled every
 * {@code rowsPerFile} rows, row counts, and commit/abort through {@link AtomicFiles}. A format
 * supplies how to open, fill and close one file.
 */
abstract class FileJob implements SinkRun.Job {
  private final AtomicFiles files;
  private final long rowsPerFile;
  private final String what;
  private Schema schema;
  private boolean open;
  private long rowsInFile;
  private long rows;

  FileJob(Path directory, String extension, long rowsPerFile, String what) {
    this.files = new AtomicFiles(directory, extension);
    this.rowsPerFile = rowsPerFile;
    this.what = what + " to " + directory;
  }

  /** Checks the first block's schema; returns it, or throws if the format cannot write it. */
  Schema accept(Schema first) {
    return first;
  }

  /**
   * Writes the block's rows, calling {@link #fileFor(int)} before each run of rows (or {@link
   * #fileForWhole(int)} once for the whole block).
   */
  abstract void writeRows(Block block) throws IOException;

  /** Opens a new file at {@code path} for rows of {@code schema}. */
  abstract void openFile(Path path, Schema schema) throws IOException;

  /** Finishes the open file. */
  abstract void closeFile() throws IOException;

  /** Frees what the job holds beyond files (buffers); runs once, at commit or abort. */
  void release() {}

  /**
   * Makes sure a file with room is open for the next rows; returns how many of {@code wanted}
   * rows fit in it, and counts them as written.
   */
  final int fileFor(int wanted) throws IOException {
    ensureFile();
    int n = (int) Math.min(wanted, rowsPerFile - rowsInFile);
    count(n);
    return n;
  }

  /**
   * For formats that write a block whole (one record batch): makes sure a file is open, rolling
   * once the current one reached {@code rowsPerFile}, and counts the block's rows.
   */
  final void fileForWhole(int blockRows) throws IOException {
    ensureFile();
    count(blockRows);
  }

  private void ensureFile() throws IOException {
    if (!open || rowsInFile >= rowsPerFile) {
      finishFile();
      openFile(files.next(), schema);
      open = true;
      rowsInFile = 0;
    }
  }

  private void count(int n) {
    rowsInFile += n;
    rows += n;
  }

  @Override
  public final void write(Block block) {
    if (schema == null) {
      schema = accept(block.schema());
    } else if (!schema.equals(block.schema())) {
      throw new SchemaMismatchException(what, schema, block.schema());
    }
    try {
      writeRows(block);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + files.current(), e);
    }
  }

  private void finishFile() throws IOException {
    if (open) {
      open = false;
      closeFile();
    }
  }

  @Override
  public final WriteSummary commit() throws IOException {
    try {
      finishFile();
      return files.commit(rows);
    } finally {
      release();
    }
  }

  @Override
  public final void abort() {
    try {
      finishFile();
    } catch (IOException | RuntimeException e) {
      // The files are deleted next; a failed close cannot leave anything visible.
    }
    release();
    files.abort();
  }
}
