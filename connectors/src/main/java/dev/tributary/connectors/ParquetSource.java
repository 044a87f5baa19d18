package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
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
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads Parquet files (parquet-mr, local files, no Hadoop file system) as a stream of blocks:
 * one block per row group, cut into several when it is larger than the block size asked for.
 * Immutable; each option returns a copy: column projection, a filter pushed down to row-group
 * statistics and applied exactly to rows, a row limit that reads only the row groups it needs,
 * read parallelism, file shuffling, a {@code path} column, and a block count; or the rows
 * counted and numeric columns summarized with no block built ({@link #summarize}). Footers alone
 * answer {@link #rowCount()} and {@link #schema()}: files that disagree are read in one schema
 * unified from their footers (exact widening, columns some files lack as nulls) or refused
 * naming both files.
 *
 * <p>Reads block on file I/O and run on the scheduler given in {@link ReadSettings}; errors
 * name the file and the row group or footer ({@link CorruptInputException}).
 *
 * <p>Serializable with every option (its files as absolute path names), so that a distributed
 * engine can read it, or a row-group range of one of its files ({@link #split}, {@link
 * #rowGroups}), on another machine where the same paths name the same files.
 */
public final class ParquetSource implements Serializable {
  /** Row groups read at once unless {@link #parallelism(int)} says otherwise. */
  public static final int DEFAULT_PARALLELISM = 4;

  private static final Logger LOG = LoggerFactory.getLogger(ParquetSource.class);

  /** The default opener: local files, buffered. */
  private static final Function<Path, InputFile> LOCAL_FILES = BufferedLocalFile::new;

  /** Stands for the files of the source a split was cut from, in schema errors. */
  private static final Path UNIFIED = Path.of("(the files this split was cut from)");

  private static final List<FilterLevel> PUSHDOWN =
      List.of(FilterLevel.STATISTICS, FilterLevel.DICTIONARY, FilterLevel.BLOOMFILTER);
  /**
   * For a filter of range comparisons only: a dictionary or a bloom filter tells nothing the
   * min/max statistics do not, and testing one reads it from the file for every row group.
   */
  private static final List<FilterLevel> RANGE_PUSHDOWN = List.of(FilterLevel.STATISTICS);

  private final List<Path> files;
  private final HivePartitions partitions;
  private final List<String> columns;
  private final FilterPredicate filter;
  private final int parallelism;
  private final boolean includePaths;
  private final int numBlocks;
  /** The most rows to read, or -1 for all. */
  private final long limit;
  private final Function<Path, InputFile> opener;
  private final RowGroups rowGroups;
  /**
   * The file columns' schema unified from every footer of the source this one was split from,
   * read in by every split (see {@link #split}), or null: unified from this source's own files.
   */
  private final Schema unified;

  private ParquetSource(List<Path> files, HivePartitions partitions, List<String> columns,
      FilterPredicate filter, int parallelism, boolean includePaths, int numBlocks, long limit,
      Function<Path, InputFile> opener, RowGroups rowGroups, Schema unified) {
    this.files = files;
    this.partitions = partitions;
    this.columns = columns;
    this.filter = filter;
    this.parallelism = parallelism;
    this.includePaths = includePaths;
    this.numBlocks = numBlocks;
    this.limit = limit;
    this.opener = opener;
    this.rowGroups = rowGroups;
    this.unified = unified;
  }

  /**
   * A source over files, directories (their {@code .parquet} files) or globs, Hive partition
   * directories ({@code p=1/part-0.parquet}) read as columns ({@link Partitioning#hive()}).
   *
   * @throws MissingInputException if a path names no Parquet file
   */
  public static ParquetSource of(List<String> paths) {
    return of(paths, Partitioning.hive());
  }

  /**
   * A source over files, directories or globs, partition directories read as {@code
   * partitioning} says: {@link Partitioning#hive(Schema)} gives their types, {@link
   * Partitioning#none()} ignores them.
   *
   * @throws MissingInputException if a path names no Parquet file
   */
  public static ParquetSource of(List<String> paths, Partitioning partitioning) {
    InputFiles inputs = InputFiles.expand(paths, partitioning, ".parquet");
    return new ParquetSource(inputs.paths(), inputs.partitions(), null, null,
        DEFAULT_PARALLELISM, false, 0, -1, LOCAL_FILES, RowGroups.ALL, null);
  }

  /** Reads only the named columns (file or partition columns), in that order. */
  public ParquetSource columns(List<String> names) {
    return new ParquetSource(files, partitions,
        List.copyOf(Objects.requireNonNull(names, "names")), filter, parallelism, includePaths,
        numBlocks, limit, opener, rowGroups, unified);
  }

  /**
   * Keeps only the rows {@code predicate} (built with parquet-mr's {@code FilterApi}) accepts.
   * Row groups whose min/max statistics, dictionaries or bloom filters rule the predicate out are
   * skipped unread; the rows of the others are then filtered exactly, so the result is the same
   * as filtering every row. Filter columns need not be projected; each file must have the file
   * columns it names with the predicate's types. Conjuncts (top-level {@code and}s) over
   * partition columns prune files: a file whose directory values fail them is not opened. The
   * value sets of {@code in} and {@code notIn} are copied here (any set works, immutable ones
   * too; later changes to it do not apply). A second filter keeps the rows both accept ({@code
   * and}). {@link #rowCount()} then answers -1: counting means reading.
   *
   * @throws ColumnException if one conjunct reads both partition and file columns (combine them
   *     only with {@code and}), or compares a partition column as another type
   */
  public ParquetSource filter(FilterPredicate predicate) {
    FilterPredicate copied = FilterArgument.copyOf(Objects.requireNonNull(predicate,
        "predicate"));
    SplitPredicate.of(copied, partitions);
    return new ParquetSource(files, partitions, columns,
        filter == null ? copied : FilterApi.and(filter, copied), parallelism, includePaths,
        numBlocks, limit, opener, rowGroups, unified);
  }

  /**
   * Whether {@link #filter(FilterPredicate)} takes {@code predicate}: each top-level conjunct
   * reads only the files' columns or only partition columns (compared as their types), and none
   * reads the {@code path} column this source adds. A plan runs any other predicate as a row
   * filter after the read.
   */
  public boolean canFilter(FilterPredicate predicate) {
    Objects.requireNonNull(predicate, "predicate");
    try {
      if (includePaths && RowFilter.columns(predicate).contains(PathColumn.NAME)) {
        return false;
      }
      SplitPredicate.of(predicate, partitions);
      return true;
    } catch (ColumnException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Reads only the first {@code rows} rows (after the filter, if any), in reading order: when no
   * filter tests the files' columns, only the row groups that hold them are read (chosen from the
   * footers' row counts of the files partition pruning kept), the last only as far as needed;
   * otherwise reading stops once they were emitted. A second limit keeps the smaller.
   *
   * @throws IllegalArgumentException if {@code rows < 0}
   */
  public ParquetSource limit(long rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, was " + rows);
    }
    return new ParquetSource(files, partitions, columns, filter, parallelism, includePaths,
        numBlocks, limit < 0 ? rows : Math.min(limit, rows), opener, rowGroups, unified);
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
    return new ParquetSource(files, partitions, columns, filter, n, includePaths, numBlocks,
        limit, opener, rowGroups, unified);
  }

  /** Reads the files in an order shuffled by {@code seed} (the same seed, the same order). */
  public ParquetSource shuffleFiles(long seed) {
    List<Path> shuffled = new ArrayList<>(files);
    Collections.shuffle(shuffled, new Random(seed));
    return new ParquetSource(List.copyOf(shuffled), partitions, columns, filter, parallelism,
        includePaths, numBlocks, limit, opener, rowGroups, unified);
  }

  /** Adds a utf8 column {@code path}, last, holding each row's file path. */
  public ParquetSource includePaths() {
    return new ParquetSource(files, partitions, columns, filter, parallelism, true, numBlocks,
        limit, opener, rowGroups, unified);
  }

  /** Whether blocks get the {@code path} column ({@link #includePaths()}). */
  public boolean includesPaths() {
    return includePaths;
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
    return new ParquetSource(files, partitions, columns, filter, parallelism, includePaths, n,
        limit, opener, rowGroups, unified);
  }

  /** Opens files through {@code opener} instead of the local file system (tests inject faults). */
  ParquetSource opener(Function<Path, InputFile> opener) {
    return new ParquetSource(files, partitions, columns, filter, parallelism, includePaths,
        numBlocks, limit, Objects.requireNonNull(opener, "opener"), rowGroups,
        unified);
  }

  /** Whether the block count was fixed ({@link #overrideNumBlocks(int)}), not left to row groups. */
  public boolean blockCountFixed() {
    return numBlocks > 0;
  }

  /**
   * The same source over its files {@code from} (inclusive) to {@code to} (exclusive) only, with
   * their partition values and every option kept: one split of a read that an engine spreads
   * over its workers. A split reads in the schema of this whole source (its {@link #schema()}),
   * unified here from every footer unless this is itself a split, so that splits of files whose
   * types differ still give blocks of one schema: split all files once ({@code split(0,
   * files().size())}) to read the footers once, then split that.
   *
   * @throws IndexOutOfBoundsException if the range is not within {@link #files()}
   * @throws ColumnException if the files' schemas cannot be unified
   */
  public ParquetSource split(int from, int to) {
    Objects.checkFromToIndex(from, to, files.size());
    Schema whole = unified;
    if (whole == null) {
      try {
        whole = fileSchema();
      } catch (CorruptInputException e) {
        whole = null; // no footer readable: each split's read fails or skips as locally
      }
    }
    return new ParquetSource(List.copyOf(files.subList(from, to)), partitions, columns, filter,
        parallelism, includePaths, numBlocks, limit, opener, rowGroups, whole);
  }

  /**
   * The same source reading only row groups {@code from} (inclusive) to {@code to} (exclusive)
   * of each file, counted in the file's footer, before any filter (a range past a file's end
   * reads what it has of it): with {@link #split}, one row-group range of one large file, a
   * split of a read that an engine spreads over its workers. Every other option applies within
   * the range (a limit counts its rows, {@link #overrideNumBlocks(int)} its blocks).
   *
   * @throws IllegalArgumentException if {@code from < 0} or {@code to < from}
   */
  public ParquetSource rowGroups(int from, int to) {
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("row group range must be 0 <= from <= to, was ["
          + from + ", " + to + ")");
    }
    return new ParquetSource(files, partitions, columns, filter, parallelism, includePaths,
        numBlocks, limit, opener, new RowGroups(from, to), unified);
  }

  /**
   * The compressed bytes of each row group of file {@code file} (an index into {@link
   * #files()}), from its footer: what an engine cuts large files into splits by.
   *
   * @throws CorruptInputException if the footer cannot be read
   */
  public long[] rowGroupBytes(int file) {
    return footer(files.get(file)).getBlocks().stream()
        .mapToLong(BlockMetaData::getCompressedSize).toArray();
  }

  /** The files this source reads, in reading order. */
  public List<Path> files() {
    return files;
  }

  /**
   * The row count from the footers only (at most the {@link #limit}), or -1 when a filter is set
   * (rows must be read).
   */
  public long rowCount() {
    if (filter != null) {
      return -1;
    }
    long rows = 0;
    for (Path file : files) {
      rows += rowGroups.of(footer(file).getBlocks()).stream()
          .mapToLong(BlockMetaData::getRowCount).sum();
    }
    return limit < 0 ? rows : Math.min(rows, limit);
  }

  /**
   * The block schema: the files' columns (or the projection's file columns) unified from their
   * footers (see {@link SchemaUnion}: exact widening, columns some files lack as nulls), then
   * the partition columns (after the file's unless the projection places them), {@code path} if
   * asked. Files whose footer cannot be read are left to the read, which fails or skips them as
   * its settings say; this fails only when no footer can be read.
   *
   * @throws ColumnException if two files disagree on a column's type, a projected column is in
   *     no file, or a file has a column named like a partition key
   */
  public Schema schema() {
    List<Field> fields = new ArrayList<>(fileSchema().getFields());
    if (columns == null) {
      fields.addAll(partitions.fields());
    } else {
      partitions.fields().stream().filter(f -> columns.contains(f.getName())).forEach(fields::add);
      fields.sort(Comparator.comparingInt(f -> columns.indexOf(f.getName())));
    }
    if (includePaths) {
      fields.add(PathColumn.FIELD);
    }
    return new Schema(fields);
  }

  /**
   * The file columns (or the projection's) unified from the readable footers.
   *
   * @throws CorruptInputException if no footer can be read
   */
  private Schema fileSchema() {
    List<Path> readable = new ArrayList<>();
    List<Schema> schemas = new ArrayList<>();
    CorruptInputException unreadable = null;
    for (Path file : files) {
      try {
        FileMetaData meta = footer(file).getFileMetaData();
        schemas.add(ParquetSchemas.toArrow(projection(meta.getSchema(), file),
            meta.getKeyValueMetaData(), file.toString()));
        readable.add(file);
      } catch (CorruptInputException e) {
        unreadable = unreadable == null ? e : unreadable;
      }
    }
    if (readable.isEmpty() && unreadable != null) {
      throw unreadable;
    }
    return union(readable, schemas).schema();
  }

  /**
   * The union of {@code files}' schemas (projected), within the schema this source was split
   * from when it was: the split's blocks then have the whole source's types and columns.
   */
  private SchemaUnion union(List<Path> files, List<Schema> schemas) {
    List<String> fileColumns = fileColumns();
    if (unified == null) {
      return SchemaUnion.of(files, schemas, fileColumns);
    }
    List<Field> whole = unified.getFields().stream()
        .filter(f -> fileColumns == null || fileColumns.contains(f.getName())).toList();
    List<Path> all = new ArrayList<>(files.size() + 1);
    all.add(UNIFIED);
    all.addAll(files);
    List<Schema> allSchemas = new ArrayList<>(schemas.size() + 1);
    allSchemas.add(new Schema(whole));
    allSchemas.addAll(schemas);
    return SchemaUnion.of(all, allSchemas, fileColumns);
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
    if (limit == 0) {
      return Flux.empty();
    }
    return Flux.defer(() -> {
      ErrorAllowance allowance = new ErrorAllowance(settings, stats);
      SplitPredicate split = filter == null ? null : SplitPredicate.of(filter, partitions);
      FileFilter files = FileFilter.of(split == null ? null : split.files());
      // Every footer first: the files' schemas are unified before any row is read.
      Flux<RowGroupRead> reads = Flux.fromIterable(this.files)
          .filter(file -> split == null || split.keeps(file, partitions, account))
          .flatMapSequential(file -> allowance.guard(
              plan(file, files, settings, stats).flux()),
              parallelism, 1)
          .collectList()
          .flatMapIterable(this::reads);
      ReadAhead ahead = new ReadAhead(account);
      // Each block is in transit from its reader's thread until the merge hands it on.
      Flux<Block> out = HandOff.fanOut(reads.index(), (r, transit) -> ahead.gate(
              allowance.guard(r.getT2().blocks(account, settings, stats, transit)), r.getT1()),
          parallelism, settings.preserveOrder());
      return (limit < 0 ? out : firstRows(out, limit)).doFinally(signal -> ahead.close());
    }).onErrorMap(Exceptions::isMultiple, ParquetSource::firstError)
        .doOnDiscard(Block.class, Block::release);
  }

  /**
   * The rows this source reads (after its filter), counted, and the numeric {@code columns}
   * summarized over them ({@link ColumnSummary}: values, nulls and NaN, sum, minimum and
   * maximum), handing no block on: what a global aggregation over the read needs. Row groups are
   * read as {@link #blocks} reads them (pushdown, {@link #parallelism(int)} at once on the
   * settings' scheduler, retries, the errored-block allowance); in each, the filter's columns are
   * decoded and tested first, then the summarized columns' kept values are added up straight
   * from their pages, never copied into a block, where the file's columns are flat, in the
   * source's types and decoded page by page; else (and with a {@link #limit}) from the row
   * group's blocks. Row groups are summarized on their readers' threads and merged in reading
   * order, so the same files give the same floating sums. Memory for a tested column is charged
   * to {@code account} while its row group is read and released before the answer.
   *
   * @throws ColumnException (as the error signal) if a column is not read or not numeric
   */
  public Mono<ScanSummary> summarize(List<ColumnSummary> columns, Account account,
      ReadSettings settings, ReadStats stats) {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(stats, "stats");
    List<ColumnSummary> asked = List.copyOf(columns);
    if (limit >= 0) {
      return blocks(account, settings, stats).reduce(ScanSummary.of(asked), (s, block) -> {
        try (block) {
          s.add(block);
        }
        return s;
      });
    }
    return Flux.defer(() -> {
      ErrorAllowance allowance = new ErrorAllowance(settings, stats);
      SplitPredicate split = filter == null ? null : SplitPredicate.of(filter, partitions);
      FileFilter files = FileFilter.of(split == null ? null : split.files());
      return Flux.fromIterable(this.files)
          .filter(file -> split == null || split.keeps(file, partitions, account))
          .flatMapSequential(file -> allowance.guard(
              plan(file, files, settings, stats).flux()),
              parallelism, 1)
          .collectList()
          .flatMapIterable(this::reads)
          .flatMapSequential(r -> allowance.guard(
              r.summarize(asked, account, settings, stats).flux()), parallelism, 1);
    }).onErrorMap(Exceptions::isMultiple, ParquetSource::firstError)
        .reduce(ScanSummary.of(asked), ScanSummary::merge);
  }

  /**
   * The first {@code rows} rows of {@code blocks} (the last block cut, zero-copy); completing
   * cancels the reads still running.
   */
  private static Flux<Block> firstRows(Flux<Block> blocks, long rows) {
    long[] left = {rows};
    return blocks.handle((b, sink) -> {
      if (b.rowCount() < left[0]) {
        left[0] -= b.rowCount();
        sink.next(b);
        return;
      }
      if (b.rowCount() == left[0]) {
        sink.next(b);
      } else {
        try (b) {
          sink.next(b.slice(0, (int) left[0]));
        }
      }
      left[0] = 0;
      sink.complete();
    });
  }

  /**
   * The first of several errors that parallel reads raised at once (each file failing the same
   * way), the others attached as suppressed and logged: a read fails with one typed error.
   */
  private static Throwable firstError(Throwable multiple) {
    List<Throwable> errors = Exceptions.unwrapMultiple(multiple);
    Throwable first = errors.get(0);
    for (Throwable other : errors.subList(1, errors.size())) {
      LOG.warn("Parquet read failed more than once; reporting the first error, also: {}",
          other.toString());
      first.addSuppressed(other);
    }
    return first;
  }

  /**
   * Reads a file's footer (retried) and decides which row groups and columns to read for the
   * predicate on the files' columns {@code filter} (its predicate null: none).
   */
  private Mono<FilePlan> plan(Path file, FileFilter filter, ReadSettings settings,
      ReadStats stats) {
    return FileReads.retried(() -> ParquetFileReader.open(opener.apply(file), readOptions()),
            file, "footer", settings)
        .map(reader -> {
          try {
            return plan(file, filter, reader, stats);
          } finally {
            FileReads.closeQuietly(reader);
          }
        })
        .subscribeOn(settings.scheduler());
  }

  private FilePlan plan(Path file, FileFilter fileFilter, ParquetFileReader reader,
      ReadStats stats) {
    FilterPredicate filter = fileFilter.predicate();
    ParquetMetadata footer = reader.getFooter();
    MessageType fileSchema = footer.getFileMetaData().getSchema();
    MessageType projected = projection(fileSchema, file);
    Schema arrow = ParquetSchemas.toArrow(projected,
        footer.getFileMetaData().getKeyValueMetaData(), file.toString());
    List<String> output = projected.getFields().stream().map(Type::getName).toList();
    List<Type> read = new ArrayList<>(projected.getFields());
    List<BlockMetaData> groups = rowGroups.of(footer.getBlocks());
    int ranged = groups.size();
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
        groups = RowGroupFilter.filterRowGroups(
            RangeOnly.of(filter) && withStatistics(groups, filterColumns) ? RANGE_PUSHDOWN
                : PUSHDOWN, fileFilter.compat(), groups,
            reader);
      } catch (IllegalArgumentException e) {
        throw new ColumnException(String.join(",", filterColumns),
            "filter " + filter + " does not fit the columns of " + file + ": " + e.getMessage());
      } catch (RuntimeException e) {
        throw new CorruptInputException(file, "row group statistics", e);
      }
    }
    stats.recordSkipped(ranged - groups.size());
    List<Integer> indexes = new ArrayList<>(groups.size());
    for (BlockMetaData group : groups) {
      indexes.add(footer.getBlocks().indexOf(group));
    }
    return new FilePlan(file, footer, new MessageType(fileSchema.getName(), read), output,
        arrow, indexes, fileFilter);
  }

  /** Whether every chunk of {@code columns} in {@code groups} has min/max statistics. */
  private static boolean withStatistics(List<BlockMetaData> groups, Set<String> columns) {
    for (BlockMetaData group : groups) {
      for (ColumnChunkMetaData chunk : group.getColumns()) {
        if (columns.contains(chunk.getPath().toDotString())
            && (chunk.getStatistics() == null || !chunk.getStatistics().hasNonNullValue()
                && chunk.getStatistics().getNumNulls() < chunk.getValueCount())) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The predicate on the files' columns of one read (or null), with parquet-mr's form of it for
   * row-group and page pushdown made once for all the files: parquet-mr logs each one made.
   */
  private record FileFilter(FilterPredicate predicate, FilterCompat.Filter compat) {
    static FileFilter of(FilterPredicate predicate) {
      return new FileFilter(predicate, predicate == null ? null : FilterCompat.get(predicate));
    }
  }

  /**
   * One file's read: its footer, the columns to read (projection, then filter-only columns), the
   * columns to output and their Arrow schema in this file, the indexes of the row groups
   * pushdown kept, and the predicate on the file's columns (or null).
   */
  private record FilePlan(Path file, ParquetMetadata footer, MessageType requested,
      List<String> output, Schema arrow, List<Integer> groups, FileFilter fileFilter) {
    FilterPredicate filter() {
      return fileFilter.predicate();
    }

    long rows() {
      return groups.stream().mapToLong(g -> footer.getBlocks().get(g).getRowCount()).sum();
    }
  }

  /**
   * The row-group reads of the planned files (those whose footer could be read), in the files'
   * unified schema; about {@code numBlocks} blocks in all when that is set. With a limit and no
   * row filter (none, or only partition conjuncts), only the row groups holding the first rows,
   * the last read only as far as needed.
   *
   * @throws ColumnException if the files' schemas cannot be unified
   */
  private List<RowGroupRead> reads(List<FilePlan> plans) {
    if (plans.isEmpty()) {
      return List.of();
    }
    SchemaUnion union = union(plans.stream().map(FilePlan::file).toList(),
        plans.stream().map(FilePlan::arrow).toList());
    // Rows left to read: when no kept file's rows are filtered (partition pruning already chose
    // the files), a limit is met by whole row groups read in order.
    boolean rowsFiltered = plans.stream().anyMatch(p -> p.filter() != null);
    long wanted = !rowsFiltered && limit >= 0 ? limit : Long.MAX_VALUE;
    long rowsPerBlock = Long.MAX_VALUE;
    if (numBlocks > 0) {
      long rows = Math.min(wanted, plans.stream().mapToLong(FilePlan::rows).sum());
      rowsPerBlock = Math.max(1, (rows + numBlocks - 1) / numBlocks);
    }
    AddedColumns added = addedColumns();
    List<RowGroupRead> reads = new ArrayList<>();
    for (FilePlan plan : plans) {
      RowFilter rows = plan.filter() == null ? null
          : new RowFilter(plan.filter(), plan.requested(), plan.fileFilter().compat());
      SchemaUnion.Conversion conversion = union.conversion(plan.arrow());
      for (int g : plan.groups()) {
        if (wanted <= 0) {
          return reads;
        }
        long groupRows = plan.footer().getBlocks().get(g).getRowCount();
        reads.add(new RowGroupRead(plan.file(), plan.footer(), g, plan.requested(),
            plan.output(), rows, conversion, rowsPerBlock, Math.min(groupRows, wanted), added,
            opener));
        wanted = wanted == Long.MAX_VALUE ? wanted : wanted - groupRows;
      }
    }
    return reads;
  }

  /** The partition columns blocks get, placed as the projection says, and the path. */
  private AddedColumns addedColumns() {
    if (columns == null) {
      return new AddedColumns(partitions, null, includePaths);
    }
    boolean asked = columns.stream().anyMatch(partitions::has);
    return new AddedColumns(asked ? partitions : HivePartitions.NONE, asked ? columns : null,
        includePaths);
  }

  /** The projection's file columns (partition columns left out), or null for all of them. */
  private List<String> fileColumns() {
    return columns == null ? null
        : columns.stream().filter(name -> !partitions.has(name)).toList();
  }

  /**
   * The projected file columns {@code fileSchema} has (the others read as nulls), or all of
   * them; partition columns are not in the file (a file that has one is refused).
   */
  private MessageType projection(MessageType fileSchema, Path file) {
    for (Field f : partitions.fields()) {
      if (fileSchema.containsField(f.getName())) {
        throw new ColumnException(f.getName(), "is a column of " + file + " and a partition"
            + " key in its path; read with Partitioning.none() or rename one of them");
      }
    }
    if (columns == null) {
      return fileSchema;
    }
    List<Type> fields = new ArrayList<>();
    for (String name : columns) {
      if (!partitions.has(name) && fileSchema.containsField(name)) {
        fields.add(fileSchema.getType(name));
      }
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
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    return ParquetReadOptions.builder(conf).withCodecFactory(new PageCodecs(conf)).build();
  }

  /**
   * {@link #readOptions()} for reading a row group's chunks into reused buffers ({@link
   * ChunkBuffers}): only for a reader whose page stores are closed once decoded.
   */
  static ParquetReadOptions rowGroupReadOptions() {
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    return ParquetReadOptions.builder(conf).withCodecFactory(new PageCodecs(conf))
        .withAllocator(ChunkBuffers.SHARED).build();
  }

  /**
   * The row groups read of each file, by index in its footer ({@link #rowGroups(int, int)}).
   *
   * @param from the first
   * @param to past the last
   */
  private record RowGroups(int from, int to) implements Serializable {
    static final RowGroups ALL = new RowGroups(0, Integer.MAX_VALUE);

    /** The groups of a footer within the range. */
    List<BlockMetaData> of(List<BlockMetaData> groups) {
      return groups.subList(Math.min(from, groups.size()), Math.min(to, groups.size()));
    }
  }

  /** Travels as its {@link Form}; a source opening files its own way cannot. */
  @Serial
  private Object writeReplace() throws ObjectStreamException {
    if (opener != LOCAL_FILES) {
      throw new NotSerializableException("a ParquetSource opening files through its own opener");
    }
    return new Form(files.stream().map(f -> f.toAbsolutePath().toString()).toList(),
        partitions, columns, filter, parallelism, includePaths, numBlocks, limit,
        rowGroups, unified == null ? null : unified.toJson());
  }

  @Serial
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a ParquetSource travels as its Form");
  }

  /**
   * A source as it travels: its files' absolute names, every option, and the schema it was split
   * from (Arrow's JSON form: an Arrow schema is not serializable), or null.
   */
  private record Form(List<String> files, HivePartitions partitions, List<String> columns,
      FilterPredicate filter, int parallelism, boolean includePaths, int numBlocks, long limit,
      RowGroups rowGroups, String unified) implements Serializable {
    @Serial
    private Object readResolve() throws InvalidObjectException {
      Schema schema;
      try {
        schema = unified == null ? null : Schema.fromJSON(unified);
      } catch (IOException e) {
        throw (InvalidObjectException) new InvalidObjectException("a ParquetSource's schema: "
            + e.getMessage()).initCause(e);
      }
      return new ParquetSource(files.stream().map(Path::of).toList(), partitions, columns,
          filter, parallelism, includePaths, numBlocks, limit, LOCAL_FILES, rowGroups, schema);
    }
  }
}
