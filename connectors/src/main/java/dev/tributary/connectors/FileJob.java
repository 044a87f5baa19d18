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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.vector.FieldVector;
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
 *
 * <p>An unpartitioned write may roll files by size ({@code fileBytes}): the rows per file are
 * fixed once, from the first block's bytes per row, to a multiple of {@link #PIECE_ROWS}, so
 * file boundaries depend on the rows, not on the block sizes or the number of writers. With
 * {@code writers > 1} consecutive files are written at once, each on a thread of its own (file
 * {@code k} on writer {@code k % writers}, after that writer's previous file): file {@code k}
 * holds the stream's rows {@code [k * rows, (k + 1) * rows)}, so reading the files in name order
 * gives the stream's order. Pieces handed to a writer stay charged to their block's account until
 * written; at most {@code writers} files of them (and at most a quarter of the account's hard
 * limit) wait, and the handing thread waits for room, so the stream's demand stays bounded.
 * {@link #finish()} and {@link #close()} return only once every writer's thread has ended, so a
 * finished, failed or cancelled job holds no block and writes no more.
 */
abstract class FileJob implements SinkRun.Job {
  /**
   * Files a partitioned write keeps open at once; beyond it the least recently written is
   * finished, and that partition's next rows start a new file. An open file's heap is charged
   * and its row group shrinks as more are open, so this bounds file descriptors, not memory.
   */
  static final int MAX_OPEN_FILES = 64;

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

  /** The share of the job account's hard limit that pieces waiting for writers may pin. */
  static final double WAITING_FRACTION = 1.0 / 4;

  /**
   * The share of the job account's hard limit that the files open at once may buffer on the
   * heap (a Parquet row group's pages), split evenly between them.
   */
  static final double BUFFER_FRACTION = 1.0 / 4;

  /** The least a file may buffer, whatever the limit: smaller row groups read slowly. */
  static final long MIN_FILE_BUFFER = 1L << 20;

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

  /**
   * One of the files written concurrently, as the handing thread sees it (path, schema, rows
   * handed); {@link #out} is opened, written and closed on its writer's thread only.
   */
  private static final class Rolling {
    private final Path path;
    private final Schema schema;
    private long rows;
    private FileOut out;

    Rolling(Path path, Schema schema) {
      this.path = path;
      this.schema = schema;
    }
  }

  /** A step a writer's thread runs for one file. */
  @FunctionalInterface
  private interface FileTask {
    void run() throws IOException;
  }

  private final AtomicFiles files;
  private final long rowsPerFile;
  /** Arrow bytes per file when rolling by size (unpartitioned, no rowsPerFile); 0: never. */
  private final long fileBytes;
  private final List<String> partitionBy;
  private final String what;
  /** Files written at once by threads of their own (unpartitioned writes only). */
  private final int writers;
  /** Rows per unpartitioned file, fixed with the first rows; 0 until then. */
  private long fileRows;
  /** Bytes per row of the first rows: what a piece waiting for a writer is charged as. */
  private long rowBytes;
  /** The writers' threads, started with the first rows; null when written inline. */
  private ExecutorService[] threads;
  /** The files being written, by writer; the file rows go to is {@code rolling[current]}. */
  private Rolling[] rolling;
  private int current;
  /** Every concurrently written file made, so a close can close what its writer did not. */
  private final List<Rolling> made = new ArrayList<>();
  /** The first failure of a writer's thread; once set, writers skip their pieces. */
  private final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
  /** Bytes of pieces handed to writers and not yet written; guarded by itself. */
  private final long[] waiting = new long[1];
  /** The most {@link #waiting} may reach before the handing thread waits. */
  private long waitingCap;
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
    this(directory, extension, rowsPerFile, 0, partitionBy, what, 1);
  }

  /**
   * A write into {@code directory} that, unpartitioned and without {@code rowsPerFile}, starts a
   * new file every {@code fileBytes} of Arrow data (0: never), and writes {@code writers} files
   * at once (see the class comment; {@code 1} writes inline, on the calling thread).
   *
   * @throws WriteException if the directory is an existing file
   */
  FileJob(Path directory, String extension, long rowsPerFile, long fileBytes,
      List<String> partitionBy, String what, int writers) {
    this.files = new AtomicFiles(directory, extension);
    this.rowsPerFile = rowsPerFile;
    this.fileBytes = fileBytes;
    this.partitionBy = partitionBy;
    this.what = what + " to " + directory;
    this.writers = partitionBy.isEmpty() ? writers : 1;
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
   * The bytes one open file may buffer before writing them out, at most {@code most}: its even
   * share of {@link #BUFFER_FRACTION} of the job account's hard limit among the files open now
   * ({@code writers}, or the partitions' open files), at least {@link #MIN_FILE_BUFFER}. A
   * partitioned write asks on its one thread, as files open and close.
   */
  final long fileBufferBytes(long most) {
    long limit = account.hardLimitBytes();
    if (limit == Long.MAX_VALUE) {
      return most;
    }
    int files = partitionBy.isEmpty() ? writers : Math.max(1, open.size());
    long share = (long) (limit * BUFFER_FRACTION) / files;
    return Math.max(MIN_FILE_BUFFER, Math.min(most, share));
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
        fixFileRows(conformed);
        if (writers > 1) {
          handRows(conformed);
        } else {
          writeRows("", conformed);
        }
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
    long limit = partition.isEmpty() ? fileRows : rowsPerFile;
    int n = block.rowCount();
    for (int done = 0; done < n; ) {
      if (discarded) {
        throw new WriteException(files.target(), "the write was cancelled");
      }
      Open file = open.get(partition);
      if (file == null || file.rows >= limit || !file.schema.equals(fileSchema)) {
        file = openFile(partition);
      }
      int take = (int) Math.min(Math.min(n - done, PIECE_ROWS), limit - file.rows);
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

  /**
   * Fixes the rows per unpartitioned file with the first rows: {@code rowsPerFile} if given,
   * else {@code fileBytes} of Arrow data at the first block's bytes per row, rounded down to a
   * multiple of {@link #PIECE_ROWS} (at least one piece).
   */
  private void fixFileRows(Block block) {
    if (fileRows != 0 || block.rowCount() == 0) {
      return;
    }
    long bytes = 0;
    for (FieldVector v : block.root().getFieldVectors()) {
      bytes += v.getBufferSize();
    }
    rowBytes = Math.max(1, bytes / block.rowCount());
    if (rowsPerFile != Long.MAX_VALUE || fileBytes <= 0) {
      fileRows = rowsPerFile;
    } else {
      fileRows = Math.max(1, fileBytes / rowBytes / PIECE_ROWS) * PIECE_ROWS;
    }
  }

  /**
   * Hands {@code block}'s rows to the writers a piece at a time, in stream order: the current
   * file takes rows until it holds {@link #fileRows}, then the next file starts on the next
   * writer (after that writer's previous file), or when a column got a type since it was opened.
   */
  private void handRows(Block block) {
    int n = block.rowCount();
    if (n == 0) {
      return;
    }
    if (threads == null) {
      startWriters();
    }
    for (int done = 0; done < n; ) {
      checkWriters();
      Rolling file = rolling[current];
      if (file == null || file.rows >= fileRows || !file.schema.equals(fileSchema)) {
        if (file != null) {
          endFile(current);
          current = (current + 1) % writers;
        }
        file = new Rolling(files.next(""), fileSchema);
        made.add(file);
        rolling[current] = file;
      }
      int take = (int) Math.min(Math.min(n - done, PIECE_ROWS), fileRows - file.rows);
      long bytes = take * rowBytes;
      awaitRoom(bytes);
      Block piece;
      try {
        piece = take == n ? block.retain() : block.slice(done, take);
      } catch (RuntimeException e) {
        freeRoom(bytes);
        throw e;
      }
      Rolling target = file;
      submit(current, () -> {
        if (target.out == null) {
          target.out = open(target.path, target.schema);
        }
        target.out.write(piece);
      }, target.path, "writing", piece, bytes);
      file.rows += take;
      rows += take;
      done += take;
    }
  }

  private void startWriters() {
    threads = new ExecutorService[writers];
    rolling = new Rolling[writers];
    for (int i = 0; i < writers; i++) {
      String name = "tributary-" + what + "-writer-" + i;
      threads[i] = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
    }
    long limit = account.hardLimitBytes();
    long cap = limit == Long.MAX_VALUE ? Long.MAX_VALUE : (long) (limit * WAITING_FRACTION);
    long perFile = fileRows > Long.MAX_VALUE / rowBytes ? Long.MAX_VALUE : fileRows * rowBytes;
    waitingCap = Math.min(cap, perFile > Long.MAX_VALUE / writers ? Long.MAX_VALUE
        : perFile * writers);
  }

  /** Has writer {@code w} close the file it writes (after its pieces), if any. */
  private void endFile(int w) {
    Rolling file = rolling[w];
    if (file == null) {
      return;
    }
    rolling[w] = null;
    submit(w, () -> {
      if (file.out != null) {
        FileOut out = file.out;
        file.out = null;
        out.close();
      }
    }, file.path, "finishing", null, 0);
  }

  /** Throws the first failure of a writer's thread, or that the write was cancelled. */
  private void checkWriters() {
    Throwable failure = writerFailure.get();
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (discarded) {
      throw new WriteException(files.target(), "the write was cancelled");
    }
  }

  /**
   * Waits until pieces of {@code bytes} more may wait for the writers (always, when none
   * waits), and counts them.
   */
  private void awaitRoom(long bytes) {
    synchronized (waiting) {
      while (waiting[0] > 0 && waiting[0] + bytes > waitingCap) {
        checkWriters();
        try {
          waiting.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new WriteException(files.target(), "the write was interrupted", e);
        }
      }
      checkWriters();
      waiting[0] += bytes;
    }
  }

  private void freeRoom(long bytes) {
    synchronized (waiting) {
      waiting[0] -= bytes;
      waiting.notifyAll();
    }
  }

  /**
   * Queues {@code task} on writer {@code w}'s thread, which runs it, then releases {@code piece}
   * (if not null) and frees its room; a piece's write is skipped once the write failed or was
   * cancelled, a file's closing ({@code piece} null) never is: its writer holds buffers.
   */
  private void submit(int w, FileTask task, Path path, String doing, Block piece, long bytes) {
    try {
      threads[w].execute(() -> {
        try {
          if (piece == null || writerFailure.get() == null && !discarded) {
            task.run();
          }
        } catch (IOException e) {
          writerFailure.compareAndSet(null, new WriteException(path, doing, e));
        } catch (RuntimeException | Error e) {
          writerFailure.compareAndSet(null, e);
        } finally {
          if (piece != null) {
            piece.release();
          }
          freeRoom(bytes);
        }
      });
    } catch (RejectedExecutionException e) {
      if (piece != null) {
        piece.release();
      }
      freeRoom(bytes);
      throw new WriteException(files.target(), "the write was cancelled", e);
    }
  }

  /**
   * Ends every writer's thread after the tasks queued on it and waits until all have ended, so
   * that no piece is still held and no file is still being written; no-op without writers.
   */
  private void stopWriters() {
    if (threads == null) {
      return;
    }
    for (ExecutorService t : threads) {
      t.shutdown();
    }
    boolean interrupted = false;
    for (ExecutorService t : threads) {
      while (true) {
        try {
          if (t.awaitTermination(1, TimeUnit.MINUTES)) {
            break;
          }
        } catch (InterruptedException e) {
          // A piece runs to its end (one piece): finish waiting, then pass the interrupt on.
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
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
    if (threads != null) {
      try {
        for (int w = 0; w < writers; w++) {
          endFile(w);
        }
      } finally {
        stopWriters();
      }
      checkWriters();
    }
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
    synchronized (waiting) {
      waiting.notifyAll();
    }
    files.discard();
  }

  @Override
  public final void close() {
    stopWriters();
    for (Rolling file : made) {
      if (file.out != null) {
        closeQuietly(file.out);
        file.out = null;
      }
    }
    made.clear();
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
    closeQuietly(file.out);
  }

  private static void closeQuietly(FileOut out) {
    try {
      out.close();
    } catch (IOException | RuntimeException e) {
      // Only after a failure or cancel: the file is discarded with the staging directory.
    }
  }
}
