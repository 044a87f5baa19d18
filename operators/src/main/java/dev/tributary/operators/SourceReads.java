package dev.tributary.operators;

import dev.tributary.memory.Bytes;
import java.util.List;

/**
 * What a source read from storage: compressed bytes, the fragments (Parquet row groups) read and
 * those skipped by filter pushdown, the Parquet pages a filter skipped by column index, and the
 * blocks it skipped as unreadable.
 *
 * @param bytesRead compressed bytes read (only the columns and fragments actually read)
 * @param fragmentsRead fragments read
 * @param fragmentsSkipped fragments skipped unread because their statistics rule the filter out
 * @param pagesSkipped Parquet pages of the fragments read skipped unread because the column
 *     indexes' page statistics rule the filter out
 * @param erroredBlocks one line per block skipped as unreadable (file and location, and why)
 */
public record SourceReads(long bytesRead, long fragmentsRead, long fragmentsSkipped,
    long pagesSkipped, List<String> erroredBlocks) {
  /** A source that reports no reads (in-memory sources, operators). */
  public static final SourceReads NONE = new SourceReads(0, 0, 0, 0, List.of());

  /** Copies the list. */
  public SourceReads {
    erroredBlocks = List.copyOf(erroredBlocks);
  }

  @Override
  public String toString() {
    return "read " + Bytes.format(bytesRead) + " in " + fragmentsRead + " fragments ("
        + fragmentsSkipped + " skipped by pushdown"
        + (pagesSkipped == 0 ? "" : ", " + pagesSkipped + " pages skipped by column index")
        + (erroredBlocks.isEmpty() ? "" : ", " + erroredBlocks.size() + " errored blocks skipped")
        + ")";
  }
}
