package dev.tributary.connectors;

import dev.tributary.error.SchemaMismatchException;
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

  /** One file a format writes. */
  interface FileOut {
    /** Appends every row of {@code rows}, a block of the file's columns; the caller closes it. */
    void write(Block rows) throws IOException;

    /** Finishes the file and frees what writing it held. */
    void close() throws IOException;
  }

  /** An open file and the rows it holds. */
  private static final class Open {
    private final Path path;
    private final FileOut out;
    private long rows;

    Open(Path path, FileOut out) {
      this.path = path;
      this.out = out;
    }
  }

  private final AtomicFiles files;
  private final long rowsPerFile;
  private final List<String> partitionBy;
  private final String what;
  /** Open files by partition directory ("" unpartitioned), least recently written first. */
  private final Map<String, Open> open = new LinkedHashMap<>(16, 0.75f, true);
  private Schema schema;
  private Schema fileSchema;
  private List<String> fileColumns;
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

  /** Checks the files' schema (the blocks' without partition columns); throws if unwritable. */
  void accept(Schema fileSchema) {}

  /** Opens a new file at {@code path} for rows of {@code schema}. */
  abstract FileOut open(Path path, Schema schema) throws IOException;

  @Override
  public final void write(Block block) {
    if (schema == null) {
      fileSchema = partitionBy.isEmpty() ? block.schema()
          : PartitionSplit.fileSchema(block.schema(), partitionBy);
      accept(fileSchema);
      fileColumns = fileSchema.getFields().stream().map(Field::getName).toList();
      schema = block.schema();
    } else if (!schema.equals(block.schema())) {
      throw new SchemaMismatchException(what, schema, block.schema());
    }
    if (partitionBy.isEmpty()) {
      writeRows("", block);
      return;
    }
    for (PartitionSplit.Group group : PartitionSplit.groups(block, partitionBy)) {
      try (Block part = PartitionSplit.rows(block, group, fileColumns)) {
        writeRows(group.directory(), part);
      }
    }
  }

  /**
   * Writes {@code block}'s rows into the partition's files, rolling them as they fill, a piece
   * at a time.
   */
  private void writeRows(String partition, Block block) {
    int n = block.rowCount();
    for (int done = 0; done < n; ) {
      if (discarded) {
        throw new WriteException(files.target(), "the write was cancelled");
      }
      Open file = open.get(partition);
      if (file == null || file.rows >= rowsPerFile) {
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
      Open file = new Open(path, open(path, fileSchema));
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

  @Override
  public final void finish() {
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
  }

  private static void closeQuietly(Open file) {
    try {
      file.out.close();
    } catch (IOException | RuntimeException e) {
      // Only after a failure or cancel: the file is discarded with the staging directory.
    }
  }
}
