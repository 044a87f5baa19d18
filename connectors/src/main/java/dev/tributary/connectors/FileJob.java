package dev.tributary.connectors;

import dev.tributary.columnar.Schemas;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The part every file sink shares: one schema for the whole write, rows split by partition
 * directory when partitioned, files rolled every {@code rowsPerFile} rows (per partition), row
 * counts, and staging/publishing through {@link AtomicFiles}. A format supplies how to open one
 * file and write blocks into it.
 *
 * <p>The schema is the blocks' schemas unified ({@link Schemas#unify}): a column null in every
 * row of a block (Arrow's null type) is written with the type the other blocks give it. While
 * some file column (partition columns are not in the files) has been null in every row so far,
 * the job holds the blocks (in its own account, up to {@link #HOLD_FRACTION} of the memory limit)
 * until one gives it a type; a column still without one then (or at the end) is written with the
 * null type, and once a later block gives it a type, each partition's next rows start a new file
 * with that type. Blocks are written conformed to the unified schema.
 */
abstract class FileJob implements SinkRun.Job {
  /**
   * Files a partitioned write keeps open at once; beyond it the least recently written is
   * finished, and that partition's next rows start a new file.
   */
  static final int MAX_OPEN_FILES = 16;

  /**
   * Rows handed to a format at once: a cancel is noticed between such pieces, so a cancelled
   * write stops within one piece rather than at the end of a large block.
   */
  static final int PIECE_ROWS = 65_536;

  /**
   * The share of the job account's hard limit (in an execution, its memory limit) a job may hold
   * while a column's type is not known.
   */
  static final double HOLD_FRACTION = 1.0 / 16;

  /** One file a format writes. */
  interface FileOut {
    /** Appends every row of {@code rows}, a block of the file's columns; the caller closes it. */
    void write(Block rows) throws IOException;

    /** Finishes the file and frees what writing it held. */
    void close() throws IOException;
  }

  /** An open file, the schema it was opened with, and the rows it holds. */
  private static final class Open {
    private final Path path;
    private final Schema schema;
    private final FileOut out;
    private long rows;

    Open(Path path, Schema schema, FileOut out) {
      this.path = path;
      this.schema = schema;
      this.out = out;
    }
  }

  private final AtomicFiles files;
  private final long rowsPerFile;
  private final List<String> partitionBy;
  private final String what;
  /** Open files by partition directory ("" unpartitioned), least recently written first. */
  private final Map<String, Open> open = new LinkedHashMap<>(16, 0.75f, true);
  /** The blocks' schemas unified so far. */
  private Schema schema;
  /** {@link #schema} without the partition columns: what new files are opened with. */
  private Schema fileSchema;
  private List<String> fileColumns;
  /** Whether blocks are written as they come (nothing is held any more). */
  private boolean decided;
  /**
   * The job's own memory: blocks held and blocks conformed; opened beside the first block's
   * account (in its execution's scope, if it has one).
   */
  private Account account;
  private final List<Block> held = new ArrayList<>();
  private long heldBytes;
  private long rows;
  /** Set by a discard from any thread; the writing thread stops at the next piece. */
  private volatile boolean discarded;

  /**
   * A write into {@code directory}.
   *
   * @throws WriteException if the directory is an existing file
   */
  FileJob(Path directory, String extension, long rowsPerFile, List<String> partitionBy,
      String what) {
    this.files = new AtomicFiles(directory, extension);
    this.rowsPerFile = rowsPerFile;
    this.partitionBy = partitionBy;
    this.what = what + " to " + directory;
  }

  /**
   * The columns of a sink's {@code partitionBy}, checked.
   *
   * @throws IllegalArgumentException if none is given
   * @throws ColumnException if one is given twice
   */
  static List<String> partitionColumns(String... columns) {
    List<String> list = List.of(Objects.requireNonNull(columns, "columns"));
    if (list.isEmpty()) {
      throw new IllegalArgumentException("partitionBy needs at least one column");
    }
    for (String c : list) {
      if (list.indexOf(c) != list.lastIndexOf(c)) {
        throw new ColumnException(c, "is given twice to partitionBy");
      }
    }
    return list;
  }

  /**
   * Checks the files' schema (the blocks' without partition columns) each time it changes;
   * throws if the format cannot write it.
   */
  void accept(Schema fileSchema) {}

  /** Opens a new file at {@code path} for rows of {@code schema}. */
  abstract FileOut open(Path path, Schema schema) throws IOException;

  /** The job's own account, for buffers a format needs; open once a block arrived. */
  final Account account() {
    return account;
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
    if (schema == null || !unified.getFields().equals(schema.getFields())) {
      Schema forFiles = partitionBy.isEmpty() ? unified
          : PartitionSplit.fileSchema(unified, partitionBy);
      accept(forFiles);
      schema = unified;
      fileSchema = forFiles;
      fileColumns = forFiles.getFields().stream().map(Field::getName).toList();
    }
    if (!decided) {
      if (Schemas.hasNullTypes(fileSchema) && heldBytes + block.sizeBytes()
          <= account.hardLimitBytes() * HOLD_FRACTION) {
        Block mine = block.transferTo(account);
        held.add(mine);
        heldBytes += mine.sizeBytes();
        return;
      }
      decide();
    }
    writeConformed(block);
  }

  /** Writes the blocks held until now; later blocks are written as they come. */
  private void decide() {
    decided = true;
    while (!held.isEmpty()) {
      try (Block b = held.remove(0)) {
        writeConformed(b);
      }
    }
    heldBytes = 0;
  }

  /** Writes {@code block} in the unified schema, split by partition when partitioned. */
  private void writeConformed(Block block) {
    Block conformed = Schemas.conform(block, schema, account);
    try {
      if (partitionBy.isEmpty()) {
        writeRows("", conformed);
        return;
      }
      for (PartitionSplit.Group group : PartitionSplit.groups(conformed, partitionBy)) {
        try (Block part = PartitionSplit.rows(conformed, group, fileColumns)) {
          writeRows(group.directory(), part);
        }
      }
    } finally {
      conformed.close();
    }
  }

  /**
   * Writes {@code block}'s rows into the partition's files, rolling them as they fill (or when
   * a column of the open file got a type since), a piece at a time.
   */
  private void writeRows(String partition, Block block) {
    int n = block.rowCount();
    for (int done = 0; done < n; ) {
      if (discarded) {
        throw new WriteException(files.target(), "the write was cancelled");
      }
      Open file = open.get(partition);
      if (file == null || file.rows >= rowsPerFile || !file.schema.equals(fileSchema)) {
        file = openFile(partition);
      }
      int take = (int) Math.min(Math.min(n - done, PIECE_ROWS), rowsPerFile - file.rows);
      try {
        if (take == n) {
          file.out.write(block);
        } else {
          try (Block piece = block.slice(done, take)) {
            file.out.write(piece);
          }
        }
      } catch (IOException e) {
        throw new WriteException(file.path, "writing", e);
      }
      file.rows += take;
      rows += take;
      done += take;
    }
  }

  private Open openFile(String partition) {
    finish(open.remove(partition));
    if (open.size() >= MAX_OPEN_FILES) {
      Iterator<Open> eldest = open.values().iterator();
      Open evicted = eldest.next();
      eldest.remove();
      finish(evicted);
    }
    Path path = files.next(partition);
    try {
      Open file = new Open(path, fileSchema, open(path, fileSchema));
      open.put(partition, file);
      return file;
    } catch (IOException e) {
      throw new WriteException(path, "creating", e);
    }
  }

  private static void finish(Open file) {
    if (file != null) {
      try {
        file.out.close();
      } catch (IOException e) {
        throw new WriteException(file.path, "finishing", e);
      }
    }
  }

  /** Writes what is still held, finishes every open file and frees the job's account. */
  @Override
  public final void finish() {
    if (!decided && !held.isEmpty()) {
      decide();
    }
    List<Open> all = new ArrayList<>(open.values());
    open.clear();
    for (int i = 0; i < all.size(); i++) {
      try {
        finish(all.get(i));
      } catch (RuntimeException e) {
        all.subList(i + 1, all.size()).forEach(FileJob::closeQuietly);
        throw e;
      }
    }
    closeAccount();
  }

  @Override
  public final WriteSummary publish() {
    return files.publish(rows);
  }

  @Override
  public final void discard() {
    discarded = true;
    files.discard();
  }

  @Override
  public final void close() {
    open.values().forEach(FileJob::closeQuietly);
    open.clear();
    held.forEach(Block::release);
    held.clear();
    heldBytes = 0;
    closeAccount();
  }

  private void closeAccount() {
    if (account != null) {
      account.closeWhenEmpty();
    }
  }

  private static void closeQuietly(Open file) {
    try {
      file.out.close();
    } catch (IOException | RuntimeException e) {
      // Only after a failure or cancel: the file is discarded with the staging directory.
    }
  }
}
