package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.BlockCustody;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.compat.RowGroupFilter;
import org.apache.parquet.filter2.compat.RowGroupFilter.FilterLevel;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;

/**
 * Reads Parquet files (parquet-mr, local files, no Hadoop file system) as a stream of blocks:
 * one block per row group, cut into several when it is larger than the block size asked for.
 * Immutable; each option returns a copy: column projection, a filter pushed down to row-group
 * statistics and applied exactly to rows, read parallelism, file shuffling, a {@code path}
 * column, and a block count. Footers alone answer {@link #rowCount()} and {@link #schema()}.
 *
 * <p>Reads block on file I/O and run on the scheduler given in {@link ReadSettings}; errors
 * name the file and the row group or footer ({@link CorruptInputException}).
 */
public final class ParquetSource {
  /** Row groups read at once unless {@link #parallelism(int)} says otherwise. */
  public static final int DEFAULT_PARALLELISM = 4;

  private static final List<FilterLevel> PUSHDOWN =
      List.of(FilterLevel.STATISTICS, FilterLevel.DICTIONARY, FilterLevel.BLOOMFILTER);

  private final List<Path> files;
  private final List<String> columns;
  private final FilterPredicate filter;
  private final int parallelism;
  private final boolean includePaths;
  private final int numBlocks;
  private final Function<Path, InputFile> opener;

  private ParquetSource(List<Path> files, List<String> columns, FilterPredicate filter,
      int parallelism, boolean includePaths, int numBlocks, Function<Path, InputFile> opener) {
    this.files = files;
    this.columns = columns;
    this.filter = filter;
    this.parallelism = parallelism;
    this.includePaths = includePaths;
    this.numBlocks = numBlocks;
    this.opener = opener;
  }

  /** A source over files, directories (their {@code .parquet} files) or globs. */
  public static ParquetSource of(List<String> paths) {
    return new ParquetSource(List.copyOf(InputFiles.expand(paths, ".parquet")), null, null,
        DEFAULT_PARALLELISM, false, 0, LocalInputFile::new);
  }

  /** Reads only the named columns, in that order. */
  public ParquetSource columns(List<String> names) {
    return new ParquetSource(files, List.copyOf(Objects.requireNonNull(names, "names")), filter,
        parallelism, includePaths, numBlocks, opener);
  }

  /**
   * Keeps only the rows {@code predicate} (built with parquet-mr's {@code FilterApi}) accepts.
   * Row groups whose min/max statistics, dictionaries or bloom filters rule the predicate out are
   * skipped unread; the rows of the others are then filtered exactly, so the result is the same
   * as filtering every row. Filter columns need not be projected. {@link #rowCount()} then
   * answers -1: counting means reading.
   */
  public ParquetSource filter(FilterPredicate predicate) {
    RowFilter.columns(Objects.requireNonNull(predicate, "predicate"));
    return new ParquetSource(files, columns, predicate, parallelism, includePaths, numBlocks,
        opener);
  }

  /**
   * Reads up to {@code n} row groups at once (default {@link #DEFAULT_PARALLELISM}), each
   * holding at most one decoded block ahead of demand, and only while the account's budget has
   * room for it (the reader first in output order always may): under memory pressure fewer
   * readers run ahead. Output keeps file and row-group order when the read settings ask for it.
   */
  public ParquetSource parallelism(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, was " + n);
    }
    return new ParquetSource(files, columns, filter, n, includePaths, numBlocks, opener);
  }

  /** Reads the files in an order shuffled by {@code seed} (the same seed, the same order). */
  public ParquetSource shuffleFiles(long seed) {
    List<Path> shuffled = new ArrayList<>(files);
    Collections.shuffle(shuffled, new Random(seed));
    return new ParquetSource(List.copyOf(shuffled), columns, filter, parallelism, includePaths,
        numBlocks, opener);
  }

  /** Adds a utf8 column {@code path}, last, holding each row's file path. */
  public ParquetSource includePaths() {
    return new ParquetSource(files, columns, filter, parallelism, true, numBlocks, opener);
  }

  /**
   * Produces about {@code n} blocks (Ray Data's {@code override_num_blocks}): every row group
   * read is cut into chunks of at most ceil(rows / n) rows, rows counting the row groups left
   * after pushdown. Blocks never span row groups, so row groups that are not multiples of that
   * size give up to n + row groups − 1 blocks; blocks larger than the block size are still cut.
   */
  public ParquetSource overrideNumBlocks(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("numBlocks must be >= 1, was " + n);
    }
    return new ParquetSource(files, columns, filter, parallelism, includePaths, n, opener);
  }

  /** Opens files through {@code opener} instead of the local file system (tests inject faults). */
  ParquetSource opener(Function<Path, InputFile> opener) {
    return new ParquetSource(files, columns, filter, parallelism, includePaths, numBlocks,
        Objects.requireNonNull(opener, "opener"));
  }

  /** Whether the block count was fixed ({@link #overrideNumBlocks(int)}), not left to row groups. */
  public boolean blockCountFixed() {
    return numBlocks > 0;
  }

  /** The files this source reads, in reading order. */
  public List<Path> files() {
    return files;
  }

  /** The row count from the footers only, or -1 when a filter is set (rows must be read). */
  public long rowCount() {
    if (filter != null) {
      return -1;
    }
    long rows = 0;
    for (Path file : files) {
      rows += footer(file).getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum();
    }
    return rows;
  }

  /** The block schema (after projection, with {@code path} if asked), from the first footer. */
  public Schema schema() {
    Path first = files.get(0);
    FileMetaData meta = footer(first).getFileMetaData();
    Schema schema = ParquetSchemas.toArrow(projection(meta.getSchema(), first),
        meta.getKeyValueMetaData(), first.toString());
    if (!includePaths) {
      return schema;
    }
    List<Field> fields = new ArrayList<>(schema.getFields());
    fields.add(PathColumn.FIELD);
    return new Schema(fields);
  }

  /**
   * The rows of every file as blocks charged to {@code account}, read on subscription with
   * default settings: a row group becomes one block, or several of at most about {@code
   * maxBlockBytes} each.
   */
  public Flux<Block> blocks(Account account, long maxBlockBytes) {
    return blocks(account, ReadSettings.defaults(maxBlockBytes), new ReadStats());
  }

  /**
   * The rows of every file as blocks charged to {@code account}, read on subscription as {@code
   * settings} say, counting what was read into {@code stats}. Up to {@link #parallelism(int)} row
   * groups are read at once on the settings' scheduler; transient errors of the retried types
   * are retried with backoff; up to {@code maxErroredBlocks} unreadable row groups or files are
   * skipped (logged, and listed in {@code stats}), and the next fails the read. Blocks in flight
   * when the subscriber cancels or the read fails are released.
   */
  public Flux<Block> blocks(Account account, ReadSettings settings, ReadStats stats) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(stats, "stats");
    return Flux.defer(() -> {
      BlockCustody custody = new BlockCustody();
      ErrorAllowance allowance = new ErrorAllowance(settings, stats);
      Flux<FilePlan> plans = Flux.fromIterable(files).concatMap(file ->
          allowance.guard(plan(file, settings, stats).flux()), 1);
      Flux<RowGroupRead> reads = numBlocks == 0
          ? plans.concatMapIterable(p -> reads(p, Long.MAX_VALUE))
          : plans.collectList().flatMapIterable(all -> {
            long rows = all.stream().mapToLong(FilePlan::rows).sum();
            long perBlock = Math.max(1, (rows + numBlocks - 1) / numBlocks);
            return all.stream().flatMap(p -> reads(p, perBlock).stream()).toList();
          });
      ReadAhead ahead = new ReadAhead(account);
      Function<Tuple2<Long, RowGroupRead>, Flux<Block>> read = r -> ahead.gate(
          allowance.guard(r.getT2().blocks(account, settings, stats, custody)), r.getT1());
      Flux<Block> out = settings.preserveOrder()
          ? reads.index().flatMapSequential(read, parallelism, 1)
          : reads.index().flatMap(read, parallelism, 1);
      return out.<Block>handle((b, sink) -> {
        if (custody.take(b)) {
          sink.next(b);
        }
      }).doFinally(signal -> {
        ahead.close();
        custody.releaseAll();
      });
    }).doOnDiscard(Block.class, Block::release);
  }

  /** Reads a file's footer (retried) and decides which row groups and columns to read. */
  private Mono<FilePlan> plan(Path file, ReadSettings settings, ReadStats stats) {
    return FileReads.retried(() -> ParquetFileReader.open(opener.apply(file), readOptions()),
            file, "footer", settings)
        .map(reader -> {
          try {
            return plan(file, reader, stats);
          } finally {
            FileReads.closeQuietly(reader);
          }
        })
        .subscribeOn(settings.scheduler());
  }

  private FilePlan plan(Path file, ParquetFileReader reader, ReadStats stats) {
    ParquetMetadata footer = reader.getFooter();
    MessageType fileSchema = footer.getFileMetaData().getSchema();
    MessageType projected = projection(fileSchema, file);
    List<String> output = projected.getFields().stream().map(Type::getName).toList();
    List<Type> read = new ArrayList<>(projected.getFields());
    List<BlockMetaData> groups = footer.getBlocks();
    if (filter != null) {
      Set<String> filterColumns = RowFilter.columns(filter);
      for (String name : filterColumns) {
        if (!fileSchema.containsField(name)) {
          throw new ColumnException(name, "is filtered on but not in " + file + "; it has "
              + fileSchema.getFields().stream().map(Type::getName).toList());
        }
        if (!output.contains(name)) {
          read.add(fileSchema.getType(name));
        }
      }
      try {
        groups = RowGroupFilter.filterRowGroups(PUSHDOWN, FilterCompat.get(filter), groups,
            reader);
      } catch (IllegalArgumentException e) {
        throw new ColumnException(String.join(",", filterColumns),
            "filter " + filter + " does not fit the columns of " + file + ": " + e.getMessage());
      } catch (RuntimeException e) {
        throw new CorruptInputException(file, "row group statistics", e);
      }
    }
    stats.recordSkipped(footer.getBlocks().size() - groups.size());
    List<Integer> indexes = new ArrayList<>(groups.size());
    for (BlockMetaData group : groups) {
      indexes.add(footer.getBlocks().indexOf(group));
    }
    return new FilePlan(file, footer, new MessageType(fileSchema.getName(), read), output,
        indexes);
  }

  /**
   * One file's read: its footer, the columns to read (projection, then filter-only columns), the
   * columns to output, and the indexes of the row groups pushdown kept.
   */
  private record FilePlan(Path file, ParquetMetadata footer, MessageType requested,
      List<String> output, List<Integer> groups) {
    long rows() {
      return groups.stream().mapToLong(g -> footer.getBlocks().get(g).getRowCount()).sum();
    }
  }

  /** The row-group reads of a planned file, at most {@code rowsPerBlock} rows per block. */
  private List<RowGroupRead> reads(FilePlan plan, long rowsPerBlock) {
    RowFilter rows = filter == null ? null : new RowFilter(filter, plan.requested());
    return plan.groups().stream().map(g -> new RowGroupRead(plan.file(), plan.footer(), g,
        plan.requested(), plan.output(), rows, rowsPerBlock, includePaths, opener)).toList();
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

  private ParquetMetadata footer(Path file) {
    try (ParquetFileReader reader = ParquetFileReader.open(opener.apply(file), readOptions())) {
      return reader.getFooter();
    } catch (IOException | RuntimeException e) {
      throw new CorruptInputException(file, "footer", e);
    }
  }

  static ParquetReadOptions readOptions() {
    return ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
  }
}
