package dev.tributary.connectors;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.parquet.filter2.columnindex.RowRanges;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexFilter;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexStore;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexStore.MissingOffsetIndexException;
import org.apache.parquet.schema.MessageType;

/**
 * The rows of one row group a filter may keep by the pages' min/max and null counts in the
 * file's column indexes (parquet-mr's {@link ColumnIndexFilter}): only the pages overlapping
 * them are read and decoded; the rows kept are then filtered exactly as the others. Files
 * without column and offset indexes (for every column read) are read whole.
 *
 * @param ranges the rows to read (parquet-mr's form), or null for all
 * @param keep the same as {@code [from, to]} pairs (inclusive, ascending), or null for all
 * @param rows how many rows they hold, or -1 for all
 * @param pagesSkipped pages of the columns read that are not read
 * @param bytesSkipped their compressed bytes
 */
record PageRanges(RowRanges ranges, long[] keep, long rows, long pagesSkipped,
    long bytesSkipped) {
  /** Every row and page. */
  static final PageRanges ALL = new PageRanges(null, null, -1, 0, 0);

  /**
   * The rows of row group {@code group} of {@code reader}'s file (opened without a record filter,
   * so its row groups are the footer's) {@code filter} may keep, reading the {@code
   * requested} columns.
   */
  static PageRanges of(ParquetFileReader reader, int group, FilterCompat.Filter filter,
      MessageType requested) {
    BlockMetaData meta = reader.getRowGroups().get(group);
    long rowCount = meta.getRowCount();
    Set<ColumnPath> paths = requested.getColumns().stream()
        .map(c -> ColumnPath.get(c.getPath())).collect(Collectors.toSet());
    List<ColumnChunkMetaData> chunks = meta.getColumns().stream()
        .filter(c -> paths.contains(c.getPath())).toList();
    if (chunks.stream().anyMatch(c -> c.getOffsetIndexReference() == null)
        || chunks.stream().allMatch(c -> c.getColumnIndexReference() == null)) {
      return ALL; // no page index here (DuckDB writes none): asked, parquet-mr logs each time
    }
    ColumnIndexStore store = reader.getColumnIndexStore(group);
    RowRanges ranges = ColumnIndexFilter.calculateRowRanges(filter, store,
        paths, rowCount);
    if (ranges.rowCount() == rowCount) {
      return ALL;
    }
    long pages = 0;
    long bytes = 0;
    try {
      for (ColumnChunkMetaData chunk : chunks) {
        OffsetIndex offsets = store.getOffsetIndex(chunk.getPath());
        for (int p = 0; p < offsets.getPageCount(); p++) {
          if (!ranges.isOverlapping(offsets.getFirstRowIndex(p),
              offsets.getLastRowIndex(p, rowCount))) {
            pages++;
            bytes += offsets.getCompressedPageSize(p);
          }
        }
      }
    } catch (MissingOffsetIndexException e) {
      return ALL; // a column read has no offset index: its pages cannot be picked
    }
    List<RowRanges.Range> kept = ranges.getRanges();
    long[] keep = new long[2 * kept.size()];
    for (int i = 0; i < kept.size(); i++) {
      keep[2 * i] = kept.get(i).from;
      keep[2 * i + 1] = kept.get(i).to;
    }
    return new PageRanges(ranges, keep, ranges.rowCount(), pages, bytes);
  }
}
