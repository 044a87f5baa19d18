package dev.tributary;

import dev.tributary.connectors.ArrowIpcSource;
import dev.tributary.connectors.FileSource;
import dev.tributary.connectors.ReadSettings;
import dev.tributary.connectors.ReadStats;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.TextSource;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.Batches;
import dev.tributary.operators.Blocks;
import dev.tributary.operators.Rows;
import dev.tributary.operators.SourceReads;
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
    return new Dataset(LogicalPlan.Source.of("Range[" + n + "]", (account, ctx) ->
        Flux.range(0, n == 0 ? 0 : blocks).map(i -> rangeBlock(
            n * i / blocks, (int) (n * (i + 1) / blocks - n * i / blocks), account)), RANGE_SCHEMA, n), null);
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

  /** A dataset of the given rows (maps from column name to value), in up to 200 blocks. */
  public static Dataset fromItems(List<? extends Map<String, ?>> items) {
    List<Map<String, Object>> rows = new ArrayList<>(items.size());
    for (Map<String, ?> item : items) {
      rows.add(new LinkedHashMap<>(item));
    }
    int blocks = defaultBlocks(rows.size(), 64, DataContext.current());
    return new Dataset(LogicalPlan.Source.of("FromItems[" + rows.size() + "]", (account, ctx) ->
        Flux.range(0, rows.isEmpty() ? 0 : blocks).map(i -> Rows.write(
            rows.subList(rows.size() * i / blocks, rows.size() * (i + 1) / blocks), null,
            account)), null, rows.size()), null);
  }

  /**
   * A dataset of copies of the given record batches, one block each; the caller keeps ownership
   * of the roots.
   */
  public static Dataset fromArrow(VectorSchemaRoot... roots) {
    List<VectorSchemaRoot> list = List.of(roots);
    long rows = list.stream().mapToLong(VectorSchemaRoot::getRowCount).sum();
    Schema schema = list.isEmpty() ? null : list.get(0).getSchema();
    return new Dataset(LogicalPlan.Source.of("FromArrow[" + list.size() + "]", (account, ctx) ->
        Flux.fromIterable(list).map(root -> Blocks.copy(account, root)), schema, rows), null);
  }

  /**
   * A dataset over blocks from application code. Tributary takes ownership of each block it
   * receives. The flux is subscribed once per execution.
   */
  public static Dataset fromFlux(Flux<Block> blocks) {
    Objects.requireNonNull(blocks, "blocks");
    return new Dataset(LogicalPlan.Source.of("FromFlux", (account, ctx) ->
        blocks.map(b -> b.transferTo(account)), null, -1), null);
  }

  /**
   * A dataset from columns given as Java arrays of equal length (see {@link
   * dev.tributary.memory.BlockBuilder} for the supported types), in up to 200 blocks.
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
    return new Dataset(LogicalPlan.Source.of("FromColumns[" + total + "]", (account, ctx) ->
        Flux.range(0, total == 0 ? 0 : blocks).map(i -> {
          int start = (int) ((long) total * i / blocks);
          int end = (int) ((long) total * (i + 1) / blocks);
          Map<String, Object> part = new LinkedHashMap<>();
          copy.forEach((name, array) -> part.put(name, slice(array, start, end)));
          return Batches.write(part, account);
        }), null, total), null);
  }

  private static Object slice(Object array, int start, int end) {
    Object out = Array.newInstance(array.getClass().getComponentType(), end - start);
    System.arraycopy(array, start, out, 0, end - start);
    return out;
  }

  /** A dataset over Parquet files, directories or globs: one block per row group. */
  public static Dataset readParquet(String... paths) {
    return readParquet(ParquetSource.of(List.of(paths)));
  }

  /**
   * A dataset over a configured Parquet source: column projection ({@code columns}), a filter
   * pushed down to row-group statistics and applied exactly to rows ({@code filter}), parallel
   * row-group reads ({@code parallelism}, in order unless {@link DataContext#preserveOrder()} is
   * off), {@code shuffleFiles(seed)}, a {@code path} column ({@code includePaths}) and {@code
   * overrideNumBlocks(n)}. Retried I/O errors and skipped unreadable blocks come from the
   * execution's {@link DataContext}; what was read (bytes, row groups read and skipped, errored
   * blocks) appears in the source's row of {@link Dataset#stats()}. {@code count()} and {@code
   * schema()} read only the footers, unless a filter is set: then {@code count()} reads rows.
   */
  public static Dataset readParquet(ParquetSource source) {
    return new Dataset(new LogicalPlan.Source("ReadParquet[" + source.files().size() + " files]",
        reading(source::blocks), Memo.of(source::schema), Memo.ofLong(source::rowCount),
        source.blockCountFixed()), null);
  }

  /** A storage read: blocks in an account, as the execution's read settings say, counted. */
  @FunctionalInterface
  private interface StorageRead {
    Flux<Block> blocks(Account account, ReadSettings settings, ReadStats reads);
  }

  /** A file source whose schema and row count are known only by reading. */
  private static Dataset fileSource(String name, int files, StorageRead read) {
    return new Dataset(new LogicalPlan.Source(name + "[" + files + " files]", reading(read),
        () -> null, () -> -1), null);
  }

  /** A source reader that reports what {@code read} touched in the source's stats row. */
  private static LogicalPlan.Reader reading(StorageRead read) {
    return (account, ctx, stats) -> {
      ReadStats reads = new ReadStats();
      stats.reads(() -> new SourceReads(reads.bytesRead(), reads.fragmentsRead(),
          reads.fragmentsSkipped(),
          reads.erroredBlocks().stream().map(Throwable::getMessage).toList()));
      return read.blocks(account, ctx.readSettings(), reads);
    };
  }

  /** A dataset over Arrow IPC files (file or stream format): one block per record batch. */
  public static Dataset readArrow(String... paths) {
    ArrowIpcSource source = ArrowIpcSource.of(List.of(paths));
    return fileSource("ReadArrow", source.files().size(), source::blocks);
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
   * One row per PNG/JPEG image: {@code path} and {@code image}, a float32 tensor of height x
   * width x 3 (RGB) values, resized to the given size.
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

  /** A dataset over JSON-lines files, directories or globs; types inferred. */
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
