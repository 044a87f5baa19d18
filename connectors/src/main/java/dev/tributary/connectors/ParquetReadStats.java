package dev.tributary.connectors;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a Parquet read touched on storage, counted as it goes (thread-safe): row groups read and
 * skipped by statistics, compressed column-chunk bytes read (only the projected and filtered
 * columns of the row groups read), and the blocks skipped as errored.
 */
public final class ParquetReadStats {
  private final AtomicLong rowGroupsRead = new AtomicLong();
  private final AtomicLong rowGroupsSkipped = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  private final List<CorruptInputException> errored = new CopyOnWriteArrayList<>();

  /** Row groups whose column chunks were read. */
  public long rowGroupsRead() {
    return rowGroupsRead.get();
  }

  /** Row groups skipped unread because their statistics rule the filter out. */
  public long rowGroupsSkipped() {
    return rowGroupsSkipped.get();
  }

  /** Compressed bytes of the column chunks read. */
  public long bytesRead() {
    return bytesRead.get();
  }

  /** The errors of the blocks (row groups or files) skipped under the errored-block allowance. */
  public List<CorruptInputException> erroredBlocks() {
    return List.copyOf(errored);
  }

  void recordRead(long bytes) {
    rowGroupsRead.incrementAndGet();
    bytesRead.addAndGet(bytes);
  }

  void recordSkipped(long groups) {
    rowGroupsSkipped.addAndGet(groups);
  }

  void recordErrored(CorruptInputException error) {
    errored.add(error);
  }

  @Override
  public String toString() {
    return "ParquetReadStats[rowGroupsRead=" + rowGroupsRead + ", rowGroupsSkipped="
        + rowGroupsSkipped + ", bytesRead=" + bytesRead + ", erroredBlocks=" + errored.size() + "]";
  }
}
