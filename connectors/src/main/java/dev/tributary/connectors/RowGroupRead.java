package dev.tributary.connectors;

import dev.tributary.error.TributaryException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import dev.tributary.memory.HeapCharge;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One row group of one file read into blocks: the unit of work a {@link ParquetSource} runs
 * in parallel. With a filter, only the pages the column indexes let through are read ({@link
 * PageRanges}), and the rows are then filtered exactly: where every column is decoded page by
 * page, the filter's columns first and the others only at the rows kept ({@link
 * RowGroupConverter#readKept}), else every row decoded, then filtered. Opening the file and
 * reading the row group's column chunks is retried as the settings say; decoding, which starts
 * emitting rows, never is.
 *
 * @param file the file
 * @param footer its footer, read once when the file was planned
 * @param group the row group's index in the footer
 * @param requested the columns to read: the projection, then columns only the filter reads
 * @param output the columns the blocks keep
 * @param filter the exact row filter, or null
 * @param conversion turns the file's blocks into the source's unified schema, or null when they
 *     already are in it
 * @param rowsPerBlock the most rows per block (besides the block-size cut)
 * @param rows how many of the row group's rows to read, from its first
 * @param added the columns appended to every block (partition values, path)
 * @param opener opens the file
 */
record RowGroupRead(Path file, ParquetMetadata footer, int group, MessageType requested,
    List<String> output, RowFilter filter, SchemaUnion.Conversion conversion, long rowsPerBlock,
    long rows, AddedColumns added, Function<Path, InputFile> opener) {

  /**
   * The row group's blocks, made on the settings' scheduler one per request, each offered to
   * {@code transit} as it is made (the read ends if it is closed), and counted into {@code
   * stats}.
   */
  Flux<Block> blocks(Account account, ReadSettings settings, ReadStats stats,
      HandOff transit) {
    // Opened on the first request, not on subscription: reading the column chunks is then
    // gated by the demand (a parallel source's read-ahead) like the blocks decoded from them.
    return Flux.<Block, Cursor[]>generate(() -> new Cursor[1],
        (opened, sink) -> {
          if (opened[0] == null) {
            try {
              opened[0] = open(account, settings, stats);
            } catch (IOException e) {
              sink.error(e);
              return opened;
            }
          }
          Block block = opened[0].next();
          if (block != null && transit.offer(block)) {
            sink.next(block);
          } else {
            sink.complete();
          }
          return opened;
        }, opened -> {
          if (opened[0] != null) {
            opened[0].close();
          }
        })
        .subscribeOn(settings.scheduler())
        .retryWhen(settings.retry().spec(settings.scheduler()))
        .onErrorMap(e -> !(e instanceof TributaryException),
            e -> new CorruptInputException(file, "row group " + group, e));
  }

  /**
   * The row group's rows, counted, and {@code columns} summarized, on the settings' scheduler:
   * from the pages, building no block of them, where the converter can ({@link
   * RowGroupConverter#summarizes}); else from its blocks. Retried whole as the settings say
   * (nothing was handed on yet).
   */
  Mono<ScanSummary> summarize(List<ColumnSummary> columns, Account account,
      ReadSettings settings, ReadStats stats) {
    return Mono.fromCallable(() -> {
          Cursor cursor = open(account, settings, stats);
          try {
            return cursor.summarize(ScanSummary.of(columns));
          } finally {
            cursor.close();
          }
        })
        .subscribeOn(settings.scheduler())
        .retryWhen(settings.retry().spec(settings.scheduler()))
        .onErrorMap(e -> !(e instanceof TributaryException),
            e -> new CorruptInputException(file, "row group " + group, e));
  }

  private Cursor open(Account account, ReadSettings settings, ReadStats stats)
      throws IOException {
    InputFile input = opener.apply(file);
    SeekableInputStream stream = input.newStream();
    ParquetFileReader reader;
    try {
      reader = new ParquetFileReader(input, footer, ParquetSource.rowGroupReadOptions(), stream);
    } catch (IOException | RuntimeException e) {
      stream.close();
      throw e;
    }
    try {
      reader.setRequestedSchema(requested);
      BlockMetaData meta = footer.getBlocks().get(group);
      PageRanges kept = filter == null ? PageRanges.ALL
          : PageRanges.of(reader, group, filter.compat(), requested);
      if (kept.rows() == 0) {
        // No page can match: nothing of the row group is read.
        stats.recordRead(0, kept.pagesSkipped());
        FileReads.closeQuietly(reader);
        return new Cursor(null, null, null, null, account, 0, settings.maxBlockBytes(), 1);
      }
      long bytes = chunkBytes(meta) - kept.bytesSkipped();
      // The row group's column chunks are read whole onto the heap and held until its last page
      // is decoded: charged to the source's account meanwhile, so that its read-ahead sees them,
      // but only within the account's budget: the room above it is the blocks' (a hard limit
      // refusing a block fails the read), so beyond it the chunks go uncharged.
      HeapCharge chunks = account.heapCharge();
      if (account.heldBytes() + bytes <= account.budgetBytes()) {
        chunks.trySet(bytes);
      }
      PageReadStore pages;
      try {
        pages = kept.keep() == null ? reader.readRowGroup(group)
            : reader.readFilteredRowGroup(group, kept.ranges());
        if (pages == null) {
          throw new IOException("the footer lists row group " + group + " but it is missing");
        }
      } catch (StackOverflowError e) {
        // A corrupt page header can send parquet-mr's Thrift parser into unbounded recursion;
        // Reactor rethrows the error as fatal, so the read would never end: it is corruption.
        chunks.close();
        throw new CorruptInputException(file, "row group " + group + ", a page header", e);
      } catch (IOException | RuntimeException e) {
        chunks.close();
        throw e;
      }
      stats.recordRead(bytes, kept.pagesSkipped());
      RowGroupConverter converter = new RowGroupConverter(requested,
          footer.getFileMetaData().getKeyValueMetaData(), file,
          footer.getFileMetaData().getCreatedBy());
      DecodedSize size = new DecodedSize(converter.schema(), requested, meta);
      try {
        converter.start(pages, group, size, settings.vectorizedParquet(), kept.keep());
      } catch (RuntimeException e) {
        FileReads.closeQuietly(pages);
        chunks.close();
        throw e;
      }
      return new Cursor(reader, pages, chunks, converter, account,
          Math.min(rows, pages.getRowCount()), settings.maxBlockBytes(), size.bytesPerRow());
    } catch (IOException | RuntimeException e) {
      FileReads.closeQuietly(reader);
      throw e;
    }
  }

  /** Compressed bytes of the requested columns' chunks in row group {@code meta}. */
  private long chunkBytes(BlockMetaData meta) {
    Set<ColumnPath> read = requested.getColumns().stream()
        .map(c -> ColumnPath.get(c.getPath())).collect(Collectors.toSet());
    return meta.getColumns().stream().filter(c -> read.contains(c.getPath()))
        .mapToLong(ColumnChunkMetaData::getTotalSize).sum();
  }

  /**
   * Decodes an opened row group a chunk at a time, each chunk cut so its decoded block stays
   * within the block size: by the footer's estimate at first, then by what the blocks measured.
   */
  private final class Cursor {
    private final ParquetFileReader reader;
    /** The row group's pages: closing them hands their chunk buffers back ({@link ChunkBuffers}). */
    private final PageReadStore pages;
    /** The pages' chunk bytes, charged to the account until the pages are closed (or null). */
    private final HeapCharge chunks;
    private final RowGroupConverter converter;
    private final Account account;
    private final long maxBlockBytes;
    private final double addedBytesPerRow;
    /**
     * The columns the filter reads when the converter decodes only the rows it keeps; null when
     * there is no filter or every row is decoded, then filtered.
     */
    private final Set<String> filterColumns;
    private long rowsLeft;
    private double bytesPerRow;

    Cursor(ParquetFileReader reader, PageReadStore pages, HeapCharge chunks,
        RowGroupConverter converter, Account account, long rows, long maxBlockBytes,
        double estimatedBytesPerRow) {
      this.reader = reader;
      this.pages = pages;
      this.chunks = chunks;
      this.converter = converter;
      this.account = account;
      this.rowsLeft = rows;
      this.maxBlockBytes = maxBlockBytes;
      this.addedBytesPerRow = added.bytesPerRow(file);
      this.bytesPerRow = estimatedBytesPerRow;
      this.filterColumns = filter != null && converter != null && converter.decodesKeptOnly()
          ? filter.columns() : null;
    }

    private int chunkRows() {
      long rows = (long) (maxBlockBytes / (bytesPerRow + addedBytesPerRow));
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(rowsPerBlock, rows)));
    }

    /** The next non-empty block of the row group, or null at its end. */
    Block next() {
      try {
        while (rowsLeft > 0) {
          int rows = (int) Math.min(chunkRows(), rowsLeft);
          rowsLeft -= rows;
          Block block;
          if (filterColumns != null) {
            block = converter.readKept(rows, account, filter, filterColumns, output);
            bytesPerRow = Math.max(1, converter.lastDecodedBytes() / (double) rows);
          } else {
            block = converter.read(rows, account);
            bytesPerRow = Math.max(1, block.sizeBytes() / (double) rows);
            if (filter != null) {
              block = filter.apply(block, output, account);
            }
          }
          if (block == null) {
            continue;
          }
          if (conversion != null) {
            block = conversion.apply(block, account);
          }
          return added.apply(block, file, account);
        }
        return null;
      } catch (TributaryException e) {
        throw e;
      } catch (RuntimeException | StackOverflowError e) {
        throw new CorruptInputException(file, "row group " + group, e);
      }
    }

    /**
     * Adds the rest of the row group to {@code into}: straight from the pages where the file's
     * columns need no conversion, its summarized columns are not added ones (partition values)
     * and the converter can; else block by block.
     */
    ScanSummary summarize(ScanSummary into) {
      Set<String> tested = filter == null ? Set.of() : filter.columns();
      boolean pages = converter != null && conversion == null
          && converter.summarizes(tested, into.columns());
      try {
        while (rowsLeft > 0) {
          if (!pages) {
            Block block = next();
            if (block != null) {
              try (block) {
                into.add(block);
              }
            }
            continue;
          }
          int rows = (int) Math.min(chunkRows(), rowsLeft);
          rowsLeft -= rows;
          converter.summarize(rows, account, filter, tested, into);
        }
        return into;
      } catch (TributaryException e) {
        throw e;
      } catch (RuntimeException | StackOverflowError e) {
        throw new CorruptInputException(file, "row group " + group, e);
      }
    }

    /** Closes the file; once nothing is decoded any more, the pages (their buffers reused). */
    void close() {
      if (pages != null) {
        FileReads.closeQuietly(pages);
      }
      if (chunks != null) {
        chunks.close();
      }
      if (reader != null) {
        FileReads.closeQuietly(reader);
      }
    }
  }
}
