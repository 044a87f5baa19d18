package dev.tributary.checkpoint;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how a write records its progress, so that a crashed job, run again, resumes:
 * {@code ds.writeParquet(ParquetSink.to(out), Checkpoint.of("id", Path.of("ckpt")))}.
 *
 * <p>The write commits its output in segments of about {@link #rowsPerCommit()} rows (whole
 * blocks): each segment's files are written and renamed into the checkpoint directory, then the
 * ids of its rows are recorded in one atomically renamed file; that rename is the segment's
 * commit. Run again with the same checkpoint, the write reads the committed ids, drops those rows
 * right after the read (before any transform runs on them), writes the rest, and publishes every
 * segment's files into the target as one write; the checkpoint is deleted once published.
 *
 * <p>Each row needs an id, unique in the input and kept by the transforms: an integer or string
 * column, never null. The plan must be reads (or their union) followed by transforms that make
 * each output row from one input row (map, withColumn, select, filter, mapBatches, rebatch,
 * repartition); a limit, sample, flatMap, sort, shuffle, aggregation or join is refused when the
 * write starts, because skipping rows would change what they produce.
 */
public final class Checkpoint {
  /** Rows per commit unless told: a few files per million rows. */
  public static final long DEFAULT_ROWS_PER_COMMIT = 1_000_000;

  private final String idColumn;
  private final Path directory;
  private final long rowsPerCommit;

  private Checkpoint(String idColumn, Path directory, long rowsPerCommit) {
    this.idColumn = idColumn;
    this.directory = directory;
    this.rowsPerCommit = rowsPerCommit;
  }

  /**
   * A checkpoint in {@code directory} (created if missing; on the target's file system, so a
   * committed file is published by a rename) identifying rows by {@code idColumn}.
   */
  public static Checkpoint of(String idColumn, Path directory) {
    Objects.requireNonNull(idColumn, "idColumn");
    return new Checkpoint(idColumn, Objects.requireNonNull(directory, "directory"),
        DEFAULT_ROWS_PER_COMMIT);
  }

  /**
   * Commits every {@code rows} rows or so (a segment ends with the block that reaches it):
   * smaller loses less work to a crash, larger writes fewer, larger files.
   */
  public Checkpoint rowsPerCommit(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerCommit must be >= 1, was " + rows);
    }
    return new Checkpoint(idColumn, directory, rows);
  }

  /** The column identifying each row. */
  public String idColumn() {
    return idColumn;
  }

  /** The checkpoint directory. */
  public Path directory() {
    return directory;
  }

  /** Rows per commit, at least. */
  public long rowsPerCommit() {
    return rowsPerCommit;
  }

  @Override
  public String toString() {
    return "Checkpoint[" + idColumn + " in " + directory + ", " + rowsPerCommit + " rows]";
  }
}
