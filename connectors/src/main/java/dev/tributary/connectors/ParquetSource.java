package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import reactor.core.publisher.Flux;

/**
 * Reads Parquet files (parquet-mr, local files, no Hadoop file system) as a stream of blocks:
 * one block per row group, cut into several when it is larger than the block size asked for,
 * with optional column projection. Footers alone answer {@link
 * #rowCount()} and {@link #schema()}.
 *
 * <p>Reads block on file I/O: subscribe on an I/O scheduler. Errors name the file and the row
 * group or footer ({@link CorruptInputException}).
 */
public final class ParquetSource {
  private final List<Path> files;
  private final List<String> columns;

  private ParquetSource(List<Path> files, List<String> columns) {
    this.files = files;
    this.columns = columns;
  }

  /** A source over files, directories (their {@code .parquet} files) or globs. */
  public static ParquetSource of(List<String> paths) {
    return new ParquetSource(InputFiles.expand(paths, ".parquet"), null);
  }

  /** Reads only the named columns, in that order. */
  public ParquetSource columns(List<String> names) {
    return new ParquetSource(files, List.copyOf(Objects.requireNonNull(names, "names")));
  }

  /** The files this source reads, in order. */
  public List<Path> files() {
    return files;
  }

  /** The total row count, from the footers only. */
  public long rowCount() {
    long rows = 0;
    for (Path file : files) {
      rows += footer(file).getBlocks().stream().mapToLong(b -> b.getRowCount()).sum();
    }
    return rows;
  }

  /** The block schema (after projection), from the first file's footer. */
  public Schema schema() {
    Path first = files.get(0);
    FileMetaData meta = footer(first).getFileMetaData();
    return ParquetSchemas.toArrow(projection(meta.getSchema(), first),
        meta.getKeyValueMetaData(), first.toString());
  }

  /**
   * The rows of every file as blocks charged to {@code account}, read on subscription: a row
   * group becomes one block, or several of at most about {@code maxBlockBytes} each.
   */
  public Flux<Block> blocks(Account account, long maxBlockBytes) {
    if (maxBlockBytes <= 0) {
      throw new IllegalArgumentException("maxBlockBytes must be positive, was " + maxBlockBytes);
    }
    return Flux.fromIterable(files)
        .concatMap(file -> fileBlocks(file, account, maxBlockBytes), 1);
  }

  private Flux<Block> fileBlocks(Path file, Account account, long maxBlockBytes) {
    return Flux.using(() -> open(file), reader -> {
      MessageType requested = projection(reader.getFooter().getFileMetaData().getSchema(), file);
      reader.setRequestedSchema(requested);
      return Generated.blocks(
          new RowGroupCursor(reader, requested, file, account, maxBlockBytes)::next);
    }, ParquetSource::closeQuietly);
  }

  /** Walks one file's row groups, cutting each into blocks of a bounded size. */
  private static final class RowGroupCursor {
    private final ParquetFileReader reader;
    private final MessageType schema;
    private final Path file;
    private final Account account;
    private final long maxBlockBytes;
    private final RowGroupConverter converter;
    private int group = -1;
    private long rowsLeft;
    private int chunkRows;

    RowGroupCursor(ParquetFileReader reader, MessageType schema, Path file, Account account,
        long maxBlockBytes) {
      this.reader = reader;
      this.schema = schema;
      this.file = file;
      this.account = account;
      this.maxBlockBytes = maxBlockBytes;
      FileMetaData meta = reader.getFooter().getFileMetaData();
      this.converter = new RowGroupConverter(schema, meta.getKeyValueMetaData(), file,
          meta.getCreatedBy());
    }

    /** The next block of this file, or null at its end. */
    Block next() {
      while (rowsLeft == 0) {
        if (!nextRowGroup()) {
          return null;
        }
      }
      int rows = (int) Math.min(chunkRows, rowsLeft);
      rowsLeft -= rows;
      return converter.read(rows, account);
    }

    private boolean nextRowGroup() {
      group++;
      PageReadStore rowGroup;
      try {
        rowGroup = reader.readNextRowGroup();
      } catch (IOException | RuntimeException e) {
        throw new CorruptInputException(file, "row group " + group, e);
      }
      if (rowGroup == null) {
        return false;
      }
      rowsLeft = rowGroup.getRowCount();
      long bytes = reader.getRowGroups().get(group).getTotalByteSize();
      double perRow = rowsLeft == 0 ? 1 : Math.max(1.0, bytes / (double) rowsLeft);
      chunkRows = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxBlockBytes / perRow));
      converter.start(rowGroup, group);
      return true;
    }
  }

  private MessageType projection(MessageType fileSchema, Path file) {
    if (columns == null) {
      return fileSchema;
    }
    List<Type> fields = new ArrayList<>();
    for (String name : columns) {
      if (!fileSchema.containsField(name)) {
        throw new ColumnException(name, "not in " + file + "; it has "
            + fileSchema.getFields().stream().map(Type::getName).toList());
      }
      fields.add(fileSchema.getType(name));
    }
    return new MessageType(fileSchema.getName(), fields);
  }

  private static ParquetMetadata footer(Path file) {
    try (ParquetFileReader reader = open(file)) {
      return reader.getFooter();
    } catch (IOException e) {
      throw new CorruptInputException(file, "footer", e);
    }
  }

  private static ParquetFileReader open(Path file) {
    try {
      return ParquetFileReader.open(new LocalInputFile(file),
          ParquetReadOptions.builder(new PlainParquetConfiguration()).build());
    } catch (IOException | RuntimeException e) {
      throw new CorruptInputException(file, "footer", e);
    }
  }

  private static void closeQuietly(ParquetFileReader reader) {
    try {
      reader.close();
    } catch (IOException e) {
      // Nothing was written through a reader; a failed close loses nothing.
    }
  }
}
