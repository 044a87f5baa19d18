package dev.tributary;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.Schemas;
import dev.tributary.connectors.ArrowIpcSource;
import dev.tributary.connectors.ArrowStreamSource;
import dev.tributary.connectors.CsvOptions;
import dev.tributary.connectors.FileSource;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.ReadSettings;
import dev.tributary.connectors.ReadStats;
import dev.tributary.connectors.TextSource;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.Batches;
import dev.tributary.operators.RowChunks;
import dev.tributary.operators.Rows;
import dev.tributary.operators.SourceReads;
import dev.tributary.plan.Read;
import dev.tributary.plan.Source;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/** Entry points: the sources a {@link Dataset} starts from. */
public final class Tributary {
  /** Ray Data's default number of output blocks for in-memory sources. */
  static final int DEFAULT_NUM_BLOCKS = 200;
  /** Below this many rows per block, sources make fewer blocks. */
  static final int MIN_ROWS_PER_BLOCK = 1024;

  private static final Schema RANGE_SCHEMA = new Schema(List.of(
      new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null)));

  private Tributary() {}

  /**
   * Rows {@code 0..n-1} in an int64 column {@code id}, in blocks sized like Ray Data's (up to 200
   * blocks, none above the target maximum block size).
   */
  public static Dataset range(long n) {
    return range(n, defaultBlocks(n, Long.BYTES, DataContext.current()));
  }

  /** Rows {@code 0..n-1} in column {@code id}, in {@code numBlocks} blocks of near-equal size. */
  public static Dataset range(long n, int numBlocks) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, was " + n);
    }
    if (numBlocks < 1) {
      throw new IllegalArgumentException("numBlocks must be >= 1, was " + numBlocks);
    }
    int blocks = (int) Math.max(1, Math.min(numBlocks, n));
    return source("Range[" + n + "]", (account, settings, stats) ->
        Flux.range(0, n == 0 ? 0 : blocks).map(i -> rangeBlock(
            n * i / blocks, (int) (n * (i + 1) / blocks - n * i / blocks), account)),
        RANGE_SCHEMA, n);
  }

  /** One block of ids {@code start..start+rows-1}, written straight into an Arrow vector. */
  private static Block rangeBlock(long start, int rows, Account account) {
    return account.allocate(() -> {
      BigIntVector ids = new BigIntVector(RANGE_SCHEMA.getFields().get(0), account.allocator());
      try {
        ids.allocateNew(rows);
        for (int k = 0; k < rows; k++) {
          ids.set(k, start + k);
        }
        ids.setValueCount(rows);
        return Block.wrap(new VectorSchemaRoot(List.of(ids)), account);
      } catch (RuntimeException e) {
        ids.close();
        throw e;
      }
    });
  }

  /**
   * A dataset of the given rows (maps from column name to value), in up to 200 blocks, each
   * also cut to the execution's block size by the rows' measured bytes.
   */
  public static Dataset fromItems(List<? extends Map<String, ?>> items) {
    List<Map<String, Object>> rows = new ArrayList<>(items.size());
    for (Map<String, ?> item : items) {
      rows.add(new LinkedHashMap<>(item));
    }
    // Blocks are cut by the rows' measured size at run time (so a few huge rows never share a
    // block beyond the memory limit) and by count (so small datasets still give several blocks).
    int blocks = defaultBlocks(rows.size(), 1, DataContext.current());
    int rowsPerBlock = (int) Math.max(1,
        Math.min(RowChunks.DEFAULT_MAX_ROWS, (rows.size() + (long) blocks - 1) / blocks));
    return source("FromItems[" + rows.size() + "]", (account, settings, stats) ->
        RowChunks.of(rows.iterator(), null, account, settings.maxBlockBytes(), rowsPerBlock),
        null, rows.size());
  }

  /**
   * A dataset of copies of the given record batches, one block each; the caller keeps ownership
   * of the roots.
   *
   * @throws ColumnException if two columns of a root share a name
   * @throws dev.tributary.error.SchemaMismatchException if the roots' schemas do not unify
   *     ({@link Schemas#unify})
   */
  public static Dataset fromArrow(VectorSchemaRoot... roots) {
    Objects.requireNonNull(roots, "roots");
    Schema schema = null;
    for (int i = 0; i < roots.length; i++) {
      Schema s = Objects.requireNonNull(roots[i], "roots[" + i + "]").getSchema();
      Schemas.requireUniqueNames(s.getFields(), "fromArrow");
      schema = schema == null ? s : Schemas.unify(schema, s, "fromArrow");
    }
    List<VectorSchemaRoot> list = List.of(roots);
    long rows = list.stream().mapToLong(VectorSchemaRoot::getRowCount).sum();
    return source("FromArrow[" + list.size() + "]", (account, settings, stats) ->
        Flux.fromIterable(list).map(root -> Blocks.copy(account, root)), schema, rows);
  }

  /**
   * A dataset over blocks from application code. Tributary takes ownership of each block it
   * receives. The flux is subscribed once per execution.
   */
  public static Dataset fromFlux(Flux<Block> blocks) {
    Objects.requireNonNull(blocks, "blocks");
    return source("FromFlux", (account, settings, stats) ->
        blocks.map(b -> b.transferTo(account)), null, -1);
  }

  /**
   * A dataset from columns given as Java arrays of equal length (see {@link
   * dev.tributary.columnar.BlockBuilder} for the supported types), in up to 200 blocks.
   */
  public static Dataset fromColumns(Map<String, ?> columns) {
    Map<String, Object> copy = new LinkedHashMap<>(columns);
    int rows = -1;
    for (Map.Entry<String, Object> e : copy.entrySet()) {
      if (e.getValue() == null || !e.getValue().getClass().isArray()) {
        throw new ColumnException(e.getKey(), "is not a Java array");
      }
      int length = Array.getLength(e.getValue());
      if (rows >= 0 && length != rows) {
        throw new ColumnException(e.getKey(), "has " + length + " rows, others have " + rows);
      }
      rows = length;
    }
    int total = Math.max(rows, 0);
    int blocks = defaultBlocks(total, 8L * Math.max(1, copy.size()), DataContext.current());
    return source("FromColumns[" + total + "]", (account, settings, stats) ->
        Flux.range(0, total == 0 ? 0 : blocks).map(i -> {
          int start = (int) ((long) total * i / blocks);
          int end = (int) ((long) total * (i + 1) / blocks);
          Map<String, Object> part = new LinkedHashMap<>();
          copy.forEach((name, array) -> part.put(name, slice(array, start, end)));
          return Batches.write(part, account);
        }), null, total);
  }

  /** A dataset over an in-memory source whose schema and row count are known up front. */
  private static Dataset source(String name, Source.Reader reader, Schema schema, long rows) {
    return new Dataset(new Read(Source.of(name, reader, () -> schema, () -> rows)), null);
  }

  private static Object slice(Object array, int start, int end) {
    Object out = Array.newInstance(array.getClass().getComponentType(), end - start);
    System.arraycopy(array, start, out, 0, end - start);
    return out;
  }

  /** A dataset over Parquet files, directories or globs: one block per row group. */
  public static Dataset readParquet(String... paths) {
    return new Dataset(new Read(new ParquetRead(ParquetSource.of(List.of(paths)))), null);
  }

  /**
   * A dataset over a configured Parquet source: column projection ({@code columns}), a filter
   * pushed down to row-group statistics and applied exactly to rows ({@code filter}), parallel
   * row-group reads ({@code parallelism}, in order unless {@link DataContext#preserveOrder()} is
   * off), {@code shuffleFiles(seed)}, a {@code path} column ({@code includePaths}) and {@code
   * overrideNumBlocks(n)}. Retried I/O errors and skipped unreadable blocks come from the
   * execution's {@link DataContext}; what was read (bytes, row groups read and skipped, errored
   * blocks) appears in the source's row of {@link Dataset#stats()}. {@code count()} and {@code
   * schema()} read only the footers (the schema is every file's, unified), unless a filter is
   * set or the context skips errored blocks: then {@code count()} reads rows.
   *
   * <p>The plan's optimizer pushes into the source what the plan above it allows (see {@link
   * Dataset#explain()}): only the columns used ({@code select} after the read decodes only
   * those), a {@link Dataset#where(org.apache.parquet.filter2.predicate.FilterPredicate)
   * Parquet filter}, and a limit (only the row groups holding the first rows are read).
   */
  public static Dataset readParquet(ParquetSource source) {
    return new Dataset(new Read(new ParquetRead(source)), null);
  }

  /** A storage read: blocks in an account, as the execution's read settings say, counted. */
  @FunctionalInterface
  interface StorageRead {
    Flux<Block> blocks(Account account, ReadSettings settings, ReadStats reads);
  }

  /** A file source whose schema and row count are known only by reading. */
  private static Dataset fileSource(String name, int files, StorageRead read) {
    return new Dataset(new Read(Source.of(name + "[" + files + " files]", reading(read),
        () -> null, () -> -1)), null);
  }

  /** A source reader that reports what {@code read} touched in the source's stats row. */
  static Source.Reader reading(StorageRead read) {
    return (account, settings, stats) -> {
      ReadStats reads = new ReadStats();
      stats.reads(() -> new SourceReads(reads.bytesRead(), reads.fragmentsRead(),
          reads.fragmentsSkipped(), reads.pagesSkipped(),
          reads.erroredBlocks().stream().map(Throwable::getMessage).toList()));
      return read.blocks(account, settings, reads);
    };
  }

  /** A dataset over Arrow IPC files (file or stream format): one block per record batch. */
  public static Dataset readArrow(String... paths) {
    ArrowIpcSource source = ArrowIpcSource.of(List.of(paths));
    return fileSource("ReadArrow", source.files().size(), source::blocks);
  }

  /**
   * A dataset over the Arrow IPC stream served at an {@code http(s)://} URL (for example by
   * {@link dev.tributary.http.ArrowHttp#serve}), one block per record batch, read as blocks are
   * demanded: a slow pipeline slows the server through HTTP flow control. Fetched on each
   * execution; the request is retried as the context's {@link DataContext#ioRetry()} says (3
   * attempts on I/O errors and 5xx when it retries nothing). A 404 fails the read with {@link
   * dev.tributary.connectors.MissingInputException}, a body that is not an Arrow stream (or ends
   * early) with {@link dev.tributary.connectors.CorruptInputException}.
   *
   * @throws dev.tributary.connectors.MissingInputException if {@code url} is not an HTTP(S) URL
   */
  public static Dataset readArrowStream(String url) {
    ArrowStreamSource source = ArrowStreamSource.of(url);
    return new Dataset(new Read(Source.of("ReadArrowStream[" + url + "]",
        reading(source::blocks), () -> null, () -> -1)), null);
  }

  /** One row per line ({@code text} column) of text files, directories or globs. */
  public static Dataset readText(String... paths) {
    return fromFiles(FileSource.textLines(List.of(paths)), "ReadText");
  }

  /** One row per file ({@code path}, {@code bytes}) of the given files, directories or globs. */
  public static Dataset readBinaryFiles(String... paths) {
    return fromFiles(FileSource.binaryFiles(List.of(paths)), "ReadBinaryFiles");
  }

  /**
   * One row per PNG/JPEG image: {@code path} and {@code image}, a float32 image tensor of height
   * x width x 3 (RGB) values 0-255, resized to the given size. The shape is in the column's type
   * (nested fixed-size lists), so {@link Batch#tensor(String)} gives {@code [rows, height, width,
   * 3]}, Parquet and Arrow IPC keep it, and {@link Dataset#writeImages} writes it back.
   */
  public static Dataset readImages(int height, int width, String... paths) {
    return fromFiles(FileSource.images(List.of(paths), height, width), "ReadImages");
  }

  /** A dataset over a configured file source (grayscale images, rows per block). */
  public static Dataset fromFiles(FileSource source, String name) {
    return fileSource(name, source.files().size(), source::blocks);
  }

  /** A dataset over CSV files (with a header row), directories or globs; types inferred. */
  public static Dataset readCsv(String... paths) {
    return fromText(TextSource.csv(List.of(paths)), "ReadCsv");
  }

  /** A dataset over CSV files read with the column types of {@code schema}, not inferred. */
  public static Dataset readCsv(Schema schema, String... paths) {
    return fromText(TextSource.csv(List.of(paths)).schema(schema), "ReadCsv");
  }

  /**
   * A dataset over CSV files in the dialect of {@code options} (delimiter, quote, escape, null
   * token, header; e.g. {@code CsvOptions.defaults().escape('\\')} for Spark's output); types
   * inferred.
   */
  public static Dataset readCsv(CsvOptions options, String... paths) {
    return fromText(TextSource.csv(List.of(paths)).options(options), "ReadCsv");
  }

  /** A dataset over CSV files in the dialect of {@code options}, with the types of a schema. */
  public static Dataset readCsv(Schema schema, CsvOptions options, String... paths) {
    return fromText(TextSource.csv(List.of(paths)).options(options).schema(schema), "ReadCsv");
  }

  /**
   * A dataset over JSON-lines files, directories ({@code .jsonl} and {@code .json} files) or
   * globs; types inferred from each file's first block of objects.
   */
  public static Dataset readJson(String... paths) {
    return fromText(TextSource.jsonLines(List.of(paths)), "ReadJson");
  }

  /** A dataset over JSON-lines files read with the column types of {@code schema}. */
  public static Dataset readJson(Schema schema, String... paths) {
    return fromText(TextSource.jsonLines(List.of(paths)).schema(schema), "ReadJson");
  }

  /** A dataset over a configured CSV or JSON-lines source (delimiter, schema, rows per block). */
  public static Dataset fromText(TextSource source, String name) {
    return fileSource(name, source.files().size(), source::blocks);
  }

  /**
   * Ray Data's rule for in-memory sources: up to 200 blocks, but at least {@link
   * #MIN_ROWS_PER_BLOCK} rows each and none above the target maximum block size.
   */
  static int defaultBlocks(long rows, long bytesPerRow, DataContext context) {
    long byCount = Math.min(DEFAULT_NUM_BLOCKS, Math.max(1, rows / MIN_ROWS_PER_BLOCK));
    long bySize = (rows * bytesPerRow + context.targetMaxBlockSize() - 1)
        / context.targetMaxBlockSize();
    return (int) Math.max(1, Math.max(byCount, bySize));
  }
}
