package dev.tributary;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.LogicalPlan.Node;
import dev.tributary.LogicalPlan.OneToOne;
import dev.tributary.connectors.ArrowIpcSink;
import dev.tributary.connectors.CsvOptions;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.TextSink;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.BatchFilter;
import dev.tributary.operators.Batches;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.Blocks;
import dev.tributary.operators.HandedBatch;
import dev.tributary.operators.LocalShuffle;
import dev.tributary.operators.Rebatch;
import dev.tributary.operators.RowTransforms;
import dev.tributary.operators.Rows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A lazy, immutable dataset: a logical plan that executes as a {@code Flux} of Arrow blocks.
 *
 * <p>Transforms ({@link #map}, {@link #filter}, {@link #mapBatches}, {@link #select}, ...)
 * return new datasets and run nothing. Consuming methods ({@link #take}, {@link #count}, {@link
 * #iterBatches}, {@link #toFlux}, ...) execute the plan, each time anew, and record {@link
 * #stats()}. Rows are {@code Map<String, Object>}; see {@link Rows} for the value types.
 *
 * <p>Blocking consumers ({@code take}, {@code count}, {@code show}, ...) wait on the calling
 * thread: call them from application threads, never from inside a reactive pipeline; use {@link
 * #toFlux()}, {@link #iterRows()} or {@link #iterBatches(int)} there.
 */
public class Dataset {
  /** How long a blocking consumer waits for operators on other threads to release memory. */
  static final java.time.Duration RELEASE_TIMEOUT = java.time.Duration.ofSeconds(10);

  final Node plan;
  private final DataContext context;
  private final AtomicReference<ExecutionStats> lastStats;

  Dataset(Node plan, DataContext context) {
    this(plan, context, new AtomicReference<>());
  }

  private Dataset(Node plan, DataContext context, AtomicReference<ExecutionStats> lastStats) {
    this.plan = plan;
    this.context = context;
    this.lastStats = lastStats;
  }

  private Dataset derive(Node node) {
    return new Dataset(node, context);
  }

  /** A dataset over {@code node} whose executions count as this dataset's (for stats). */
  private Dataset sharingStats(Node node) {
    return new Dataset(node, context, lastStats);
  }

  private Dataset oneToOne(String name, BlockTransform transform, MapBatchesOptions options,
      UnaryOperator<Schema> schema) {
    return derive(new OneToOne(plan, name, transform, options, schema));
  }

  /** The context this dataset executes with: its own, else {@link DataContext#current()}. */
  public DataContext context() {
    return context != null ? context : DataContext.current();
  }

  /** The same plan, executed with {@code context}. */
  public Dataset withContext(DataContext context) {
    return new Dataset(plan, Objects.requireNonNull(context, "context"));
  }

  // ---------------------------------------------------------------- one-to-one transforms

  /** Applies {@code fn} to every row; output columns are inferred from the returned maps. */
  public Dataset map(Function<Map<String, Object>, Map<String, Object>> fn) {
    return oneToOne("Map", RowTransforms.map(fn), MapBatchesOptions.DEFAULTS, null);
  }

  /** Replaces every row by the zero or more rows {@code fn} returns. */
  public Dataset flatMap(
      Function<Map<String, Object>, ? extends Iterable<Map<String, Object>>> fn) {
    return oneToOne("FlatMap", RowTransforms.flatMap(fn), MapBatchesOptions.DEFAULTS, null);
  }

  /** Keeps the rows for which {@code keep} is true. */
  public Dataset filter(Predicate<Map<String, Object>> keep) {
    return oneToOne("Filter", RowTransforms.filter(keep), MapBatchesOptions.DEFAULTS, s -> s);
  }

  /**
   * A vectorised filter: {@code keep} sees each block as a read-only zero-copy Arrow batch and
   * returns one flag per row, true to keep it; much faster than {@link #filter} for simple
   * column predicates (no per-row map, no boxing).
   */
  public Dataset filterBatches(Function<VectorSchemaRoot, boolean[]> keep) {
    return oneToOne("FilterBatches", BatchFilter.of(keep), MapBatchesOptions.DEFAULTS, s -> s);
  }

  /** Applies a column-batch function to whole blocks, inline. */
  public Dataset mapBatches(Function<Map<String, Object>, Map<String, Object>> fn) {
    return mapBatches(fn, MapBatchesOptions.DEFAULTS);
  }

  /**
   * Applies a function to column batches (Ray's "numpy" format): a map from column name to Java
   * array (a copy, see {@link Batches}), returning another such map (any row count, all columns
   * equally long). Arrays returned unchanged keep their Arrow vectors ({@link HandedBatch}).
   */
  public Dataset mapBatches(
      Function<Map<String, Object>, Map<String, Object>> fn, MapBatchesOptions options) {
    Objects.requireNonNull(fn, "fn");
    BlockTransform t = (in, out) -> {
      HandedBatch handed = HandedBatch.of(in);
      Map<String, Object> result = fn.apply(handed.batch());
      if (result == null) {
        throw new IllegalStateException("the batch function returned null; return a batch");
      }
      return handed.write(result, out);
    };
    return oneToOne("MapBatches", t, options, null);
  }

  /**
   * Applies a function to Arrow batches (Ray's "pyarrow" format): an Arrow record batch (a
   * read-only zero-copy view when {@link MapBatchesOptions#zeroCopyBatch()}, else a copy).
   */
  public Dataset mapBatchesArrow(ArrowBatchFunction fn, MapBatchesOptions options) {
    Objects.requireNonNull(fn, "fn");
    boolean zeroCopy = options.zeroCopyBatch();
    BlockTransform t = (in, out) -> {
      Block batch = zeroCopy ? in : Blocks.concat(List.of(in), out);
      VectorSchemaRoot result;
      try {
        result = fn.apply(batch.root(), out.allocator());
      } catch (RuntimeException | Error e) {
        if (batch != in) {
          batch.close();
        }
        throw e;
      }
      if (result == batch.root()) {
        return batch;
      }
      if (batch != in) {
        batch.close();
      }
      if (result == null) {
        throw new IllegalStateException("the batch function returned null; return a batch");
      }
      return Block.wrap(result, out);
    };
    return oneToOne("MapBatches", t, options, null);
  }

  /**
   * Re-cuts the blocks into blocks of {@code rows} rows (the last may be shorter): shrink blocks
   * before an inflationary step so each stays within budget, or grow tiny ones.
   */
  public Dataset rebatch(int rows) {
    return oneToOne("Rebatch[" + rows + "]", (in, out) -> in,
        MapBatchesOptions.defaults().withBatchSize(rows), s -> s);
  }

  /** Keeps only the named columns, in that order. */
  public Dataset select(String... columns) {
    List<String> names = List.of(columns);
    return oneToOne("Select" + names, RowTransforms.select(names), MapBatchesOptions.DEFAULTS,
        s -> new Schema(names.stream().map(n -> field(s, n)).toList()));
  }

  /** Removes the named columns. */
  public Dataset drop(String... columns) {
    List<String> names = List.of(columns);
    return oneToOne("Drop" + names, RowTransforms.drop(names), MapBatchesOptions.DEFAULTS,
        s -> {
          names.forEach(n -> field(s, n));
          return new Schema(s.getFields().stream()
              .filter(f -> !names.contains(f.getName())).toList());
        });
  }

  /** Renames column {@code from} to {@code to}. */
  public Dataset rename(String from, String to) {
    return oneToOne("Rename[" + from + "->" + to + "]", RowTransforms.rename(from, to),
        MapBatchesOptions.DEFAULTS, s -> {
          field(s, from);
          return new Schema(s.getFields().stream().map(f -> f.getName().equals(from)
              ? new Field(to, f.getFieldType(), f.getChildren()) : f).toList());
        });
  }

  /** Adds (or replaces) column {@code name}, computed from each row. */
  public Dataset withColumn(String name, Function<Map<String, Object>, Object> fn) {
    return oneToOne("WithColumn[" + name + "]", RowTransforms.withColumn(name, fn),
        MapBatchesOptions.DEFAULTS, null);
  }

  /** The first {@code rows} rows; upstream work stops once they are produced. */
  public Dataset limit(long rows) {
    return derive(new LogicalPlan.Limit(plan, rows));
  }

  /** This dataset's rows followed by those of {@code others}; schemas must match. */
  public Dataset union(Dataset... others) {
    List<Node> inputs = new ArrayList<>();
    inputs.add(plan);
    Arrays.stream(others).forEach(o -> inputs.add(o.plan));
    Schema first = plan.schema();
    for (Dataset other : others) {
      Schema s = other.plan.schema();
      if (first != null && s != null && !first.equals(s)) {
        throw new SchemaMismatchException("union", first, s);
      }
    }
    return derive(new LogicalPlan.Union(inputs));
  }

  private static Field field(Schema schema, String name) {
    return schema.getFields().stream().filter(f -> f.getName().equals(name)).findFirst()
        .orElseThrow(() -> new ColumnException(name, "no such column; the dataset has "
            + schema.getFields().stream().map(Field::getName).toList()));
  }

  // ---------------------------------------------------------------- consumption

  /**
   * The raw governed stream of blocks; each subscription executes the plan. The subscriber owns
   * every block it receives and must close it (blocks it never receives are released by
   * Tributary, also on cancel and error). A {@link DataContext} under {@link
   * DataContext#CONTEXT_KEY} in the subscriber's Reactor context overrides this dataset's.
   */
  public Flux<Block> toFlux() {
    return Execution.flux(plan, context(), lastStats::set);
  }

  /**
   * Runs {@code body} over one execution on the calling thread and returns once the execution's
   * operators have released their memory, also after an error or cancel.
   */
  private <T> T blocking(Function<Flux<Block>, Mono<T>> body) {
    AtomicReference<Execution> execution = new AtomicReference<>();
    try {
      return body.apply(Execution.flux(plan, context(), lastStats::set, execution::set)).block();
    } finally {
      Execution e = execution.get();
      if (e != null) {
        e.awaitReleased(RELEASE_TIMEOUT);
      }
    }
  }

  /** Rows one at a time; blocks are released as soon as their rows are read. */
  public Flux<Map<String, Object>> iterRows() {
    return toFlux().concatMapIterable(Dataset::rowsAndClose, 1);
  }

  /**
   * Column batches of exactly {@code batchSize} rows (the last may be shorter), re-batched across
   * blocks; each block is released once converted.
   */
  public Flux<Map<String, Object>> iterBatches(int batchSize) {
    return Flux.defer(() -> {
      Account account = context().arena().openAccount("IterBatches");
      return toFlux()
          .transform(Rebatch.of(batchSize, account))
          .map(b -> {
            try (b) {
              return Batches.read(b);
            }
          })
          .doFinally(s -> account.closeWhenEmpty());
    });
  }

  /**
   * Column batches of {@code batchSize} rows drawn at random from a local buffer of at least
   * {@code localShuffleBufferSize} rows (Ray's {@code local_shuffle_buffer_size}), the same
   * order for the same {@code seed}: a cheap shuffle for training loops, mixing rows of many
   * blocks without a global shuffle. The buffer is charged to the execution's arena.
   */
  public Flux<Map<String, Object>> iterBatches(int batchSize, int localShuffleBufferSize,
      long seed) {
    if (batchSize < 1 || localShuffleBufferSize < 1) {
      throw new IllegalArgumentException("batchSize and localShuffleBufferSize must be >= 1, were "
          + batchSize + " and " + localShuffleBufferSize);
    }
    return Flux.defer(() -> {
      Account account = context().arena().openAccount("IterBatches[shuffle]");
      return toFlux()
          .transform(LocalShuffle.of(batchSize, localShuffleBufferSize, seed, account))
          .map(b -> {
            try (b) {
              return Batches.read(b);
            }
          })
          .doFinally(s -> account.closeWhenEmpty());
    });
  }

  /** The first {@code n} rows, running only as much of the pipeline as needed. */
  public List<Map<String, Object>> take(int n) {
    return sharingStats(new LogicalPlan.Limit(plan, n)).takeAll();
  }

  /** Every row. */
  public List<Map<String, Object>> takeAll() {
    List<Map<String, Object>> rows = new ArrayList<>();
    blocking(flux -> flux.doOnNext(b -> rows.addAll(rowsAndClose(b))).then());
    return rows;
  }

  /** The first {@code n} rows as one column batch. */
  public Map<String, Object> takeBatch(int n) {
    Map<String, Object> batch = sharingStats(new LogicalPlan.Limit(plan, n)).blocking(flux -> flux
        .collectList()
        .doOnDiscard(Block.class, Block::release)
        .map(blocks -> {
          try {
            if (blocks.isEmpty()) {
              return Map.<String, Object>of();
            }
            try (Block all = Blocks.concat(blocks, blocks.get(0).owner())) {
              return Batches.read(all);
            }
          } finally {
            blocks.forEach(Block::release);
          }
        }));
    return batch == null ? Map.of() : batch;
  }

  /** The number of rows; a plain source answers without reading. */
  public long count() {
    if (plan instanceof LogicalPlan.Source s && s.rows() >= 0) {
      return s.rows();
    }
    Long rows = blocking(flux -> flux
        .map(b -> {
          try (b) {
            return (long) b.rowCount();
          }
        })
        .reduce(0L, Long::sum));
    return rows == null ? 0 : rows;
  }

  /**
   * The schema: from the plan when every operator's output is known, otherwise by running the
   * pipeline until its first block.
   */
  public Schema schema() {
    Schema known = plan.schema();
    if (known != null) {
      return known;
    }
    return blocking(flux -> flux.take(1).singleOrEmpty().map(first -> {
      try (first) {
        return first.schema();
      }
    }));
  }

  /** Prints the first {@code n} rows as an aligned table to standard output. */
  public void show(int n) {
    System.out.print(Table.format(take(n)));
  }

  /** Prints the first 20 rows. */
  public void show() {
    show(20);
  }

  /**
   * Executes the plan once and holds its blocks; the returned dataset re-reads them (zero-copy)
   * as often as needed. Close it to release the memory.
   */
  public MaterializedDataset materialize() {
    return MaterializedDataset.of(this);
  }

  /**
   * Writes the dataset as Parquet files into {@code directory}, atomically (see {@link
   * ParquetSink}): SNAPPY-compressed, one file per execution unless {@code sink} says otherwise.
   */
  public WriteSummary writeParquet(String directory) {
    return writeParquet(ParquetSink.to(java.nio.file.Path.of(directory)));
  }

  /** Writes the dataset through a configured Parquet sink (compression, rows per file). */
  public WriteSummary writeParquet(ParquetSink sink) {
    return blocking(sink::write);
  }

  /** Writes the dataset as Arrow IPC files into {@code directory}, atomically. */
  public WriteSummary writeArrow(String directory) {
    return blocking(ArrowIpcSink.to(java.nio.file.Path.of(directory))::write);
  }

  /** Writes the dataset as CSV files (with a header row) into {@code directory}, atomically. */
  public WriteSummary writeCsv(String directory) {
    return writeText(TextSink.csv(java.nio.file.Path.of(directory)));
  }

  /** Writes the dataset as CSV files in the dialect of {@code options}, atomically. */
  public WriteSummary writeCsv(String directory, CsvOptions options) {
    return writeText(TextSink.csv(java.nio.file.Path.of(directory)).options(options));
  }

  /** Writes the dataset as JSON-lines files into {@code directory}, atomically. */
  public WriteSummary writeJson(String directory) {
    return writeText(TextSink.jsonLines(java.nio.file.Path.of(directory)));
  }

  /** Writes the dataset through a configured CSV or JSON-lines sink. */
  public WriteSummary writeText(TextSink sink) {
    return blocking(sink::write);
  }

  /** The stats of this dataset's last execution, or null if it never ran. */
  public ExecutionStats stats() {
    return lastStats.get();
  }

  /** The logical plan (output first) and the physical plan after fusion (source first). */
  public String explain() {
    return "Logical plan:\n" + LogicalPlan.explain(plan)
        + "Physical plan:\n" + Execution.explainPhysical(plan, context());
  }

  private static List<Map<String, Object>> rowsAndClose(Block block) {
    try (block) {
      return Rows.read(block);
    }
  }

  @Override
  public String toString() {
    return "Dataset[" + plan.describe() + "]";
  }
}
