package dev.tributary.connectors;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.Schemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The part every file sink shares: one schema for the whole write, files rolled every
 * {@code rowsPerFile} rows, row counts, and commit/abort through {@link AtomicFiles}. A format
 * supplies how to open, fill and close one file.
 *
 * <p>The schema is the blocks' schemas unified ({@link Schemas#unify}): a column null in every
 * row of a block (Arrow's null type) is written with the type the other blocks give it. While
 * some column has been null in every row so far, the job holds the blocks (in its own account,
 * up to {@link #HOLD_FRACTION} of the memory limit) until one gives it a type; a column still
 * without one then (or at the end) is written with the null type, and if a later block gives it
 * a type, a new file starts with that type. Blocks are written conformed to the file's schema.
 */
abstract class FileJob implements SinkRun.Job {
  /** The share of the arena's limit a job may hold while a column's type is not known. */
  static final double HOLD_FRACTION = 1.0 / 16;

  private final AtomicFiles files;
  private final long rowsPerFile;
  private final String what;
  private Schema schema;
  /** Whether {@link #schema} is final for the open file (nothing is held then). */
  private boolean decided;
  /**
   * The job's own memory: blocks held and blocks conformed; opened beside the first block's
   * account (in its execution's scope, if it has one).
   */
  private Account account;
  private final List<Block> held = new ArrayList<>();
  private long heldBytes;
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

  /** The job's own account, for buffers a format needs; open once a block arrived. */
  final Account account() {
    return account;
  }

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

  /**
   * Writes (or holds, see the class comment) a block; the caller releases {@code block} after
   * (a held block has been moved to the job's account).
   *
   * @throws SchemaMismatchException if its schema does not unify with the blocks' before it
   */
  @Override
  public final void write(Block block) {
    if (account == null) {
      account = block.owner().sibling(what);
    }
    Schema unified = schema == null ? block.schema() : Schemas.unify(schema, block.schema(), what);
    try {
      if (!decided) {
        schema = unified;
        if (Schemas.hasNullTypes(schema) && heldBytes + block.sizeBytes()
            <= account.hardLimitBytes() * HOLD_FRACTION) {
          Block mine = block.transferTo(account);
          held.add(mine);
          heldBytes += mine.sizeBytes();
          return;
        }
        decide();
      } else if (!unified.getFields().equals(schema.getFields())) {
        // A column written with the null type so far got a type: it starts a new file.
        finishFile();
        schema = accept(unified);
      }
      writeConformed(block);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + files.current(), e);
    }
  }

  /** Fixes the schema for the first file and writes the blocks held until now. */
  private void decide() throws IOException {
    decided = true;
    schema = accept(schema);
    while (!held.isEmpty()) {
      try (Block b = held.remove(0)) {
        writeConformed(b);
      }
    }
    heldBytes = 0;
  }

  private void writeConformed(Block block) throws IOException {
    Block conformed = Schemas.conform(block, schema, account);
    try {
      writeRows(conformed);
    } finally {
      if (conformed != block) {
        conformed.close();
      }
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
      if (!decided && !held.isEmpty()) {
        decide();
      }
      finishFile();
      return files.commit(rows);
    } finally {
      releaseAll();
    }
  }

  @Override
  public final void abort() {
    try {
      finishFile();
    } catch (IOException | RuntimeException e) {
      // The files are deleted next; a failed close cannot leave anything visible.
    }
    releaseAll();
    files.abort();
  }

  private void releaseAll() {
    held.forEach(Block::release);
    held.clear();
    release();
    if (account != null) {
      account.closeWhenEmpty();
    }
  }
}
