package dev.tributary.connectors;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a read touched on storage, counted as it goes (thread-safe): fragments read (Parquet row
 * groups, or whole files for the other formats) and skipped by statistics, Parquet pages skipped
 * by column indexes, bytes read (Parquet: compressed pages of the projected and filtered columns
 * of the row groups read; other
 * formats: the sizes of the files opened), and the blocks skipped as errored.
 */
public final class ReadStats {
  private final AtomicLong fragmentsRead = new AtomicLong();
  private final AtomicLong fragmentsSkipped = new AtomicLong();
  private final AtomicLong pagesSkipped = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  private final List<CorruptInputException> errored = new CopyOnWriteArrayList<>();

  /** Fragments read: Parquet row groups whose column chunks were read, or files opened. */
  public long fragmentsRead() {
    return fragmentsRead.get();
  }

  /** Parquet row groups skipped unread because their statistics rule the filter out. */
  public long fragmentsSkipped() {
    return fragmentsSkipped.get();
  }

  /**
   * Parquet pages of the row groups read that were not read because the column indexes' page
   * statistics rule the filter out (counted per column read).
   */
  public long pagesSkipped() {
    return pagesSkipped.get();
  }

  /** Bytes read: compressed Parquet column chunks, or the sizes of the files opened. */
  public long bytesRead() {
    return bytesRead.get();
  }

  /** The errors of the blocks (row groups, files, rest of files) skipped under the allowance. */
  public List<CorruptInputException> erroredBlocks() {
    return List.copyOf(errored);
  }

  void recordRead(long bytes) {
    fragmentsRead.incrementAndGet();
    bytesRead.addAndGet(bytes);
  }

  /** A Parquet row group read: {@code bytes} compressed bytes, {@code pages} pages skipped. */
  void recordRead(long bytes, long pages) {
    recordRead(bytes);
    pagesSkipped.addAndGet(pages);
  }

  /** Bytes of a stream counted as they arrive (its fragment was recorded when it opened). */
  void addBytes(long bytes) {
    bytesRead.addAndGet(bytes);
  }

  void recordSkipped(long groups) {
    fragmentsSkipped.addAndGet(groups);
  }

  void recordErrored(CorruptInputException error) {
    errored.add(error);
  }

  @Override
  public String toString() {
    return "ReadStats[fragmentsRead=" + fragmentsRead + ", fragmentsSkipped="
        + fragmentsSkipped + ", pagesSkipped=" + pagesSkipped + ", bytesRead=" + bytesRead
        + ", erroredBlocks=" + errored.size() + "]";
  }
}
