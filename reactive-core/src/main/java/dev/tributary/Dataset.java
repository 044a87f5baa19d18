package dev.tributary;

import dev.tributary.checkpoint.Checkpoint;
import dev.tributary.checkpoint.CheckpointedWrite;
import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.columnar.Schemas;
import dev.tributary.connectors.ArrowIpcSink;
import dev.tributary.connectors.CsvOptions;
import dev.tributary.connectors.ImageSink;
import dev.tributary.connectors.ParquetFilter;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.TextSink;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.exec.PhysicalPlanner;
import dev.tributary.expr.Evaluation;
import dev.tributary.expr.Expr;
import dev.tributary.expr.ExpressionException;
import dev.tributary.gpu.Device;
import dev.tributary.gpu.GpuBatchFunction;
import dev.tributary.gpu.GpuCompute;
import dev.tributary.gpu.GpuException;
import dev.tributary.gpu.Gpus;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.BatchFilter;
import dev.tributary.operators.Batches;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.ColumnBatch;
import dev.tributary.operators.ColumnMapping;
import dev.tributary.operators.HandedBatch;
import dev.tributary.operators.LocalShuffle;
import dev.tributary.operators.Rebatch;
import dev.tributary.operators.RowCountMismatchException;
import dev.tributary.operators.RowTransforms;
import dev.tributary.operators.Rows;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.operators.exchange.ExternalSort;
import dev.tributary.operators.exchange.SortKey;
import dev.tributary.operators.join.HashJoin;
import dev.tributary.operators.join.JoinKeyMismatchException;
import dev.tributary.operators.join.JoinType;
import dev.tributary.plan.BlockShuffle;
import dev.tributary.plan.Evaluate;
import dev.tributary.plan.Filter;
import dev.tributary.plan.FlatMap;
import dev.tributary.plan.GroupAggregate;
import dev.tributary.plan.Join;
import dev.tributary.plan.Limit;
import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.MapBatches;
import dev.tributary.plan.MapRows;
import dev.tributary.plan.PooledMapBatches;
import dev.tributary.plan.Project;
import dev.tributary.plan.Read;
import dev.tributary.plan.Repartition;
import dev.tributary.plan.Sample;
import dev.tributary.plan.Shuffle;
import dev.tributary.plan.Sort;
import dev.tributary.plan.Union;
import dev.tributary.plan.Write;
import dev.tributary.plan.Zip;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A lazy, immutable dataset: a logical plan that executes as a {@code Flux} of Arrow blocks.
 *
 * <p>Transforms ({@link #map}, {@link #filter}, {@link #mapBatches}, {@link #select}, ...)
 * return new datasets and run nothing. Consuming methods ({@link #take}, {@link #count}, {@link
 * #iterBatches}, {@link #toFlux}, ...) execute the plan, each time anew, and record {@link
 * #stats()}. Rows are {@code Map<String, Object>}; see {@link Rows} for the value types.
 *
 * <p>Blocking consumers ({@code take}, {@code count}, {@code show}, the writers, ...) wait on
 * the calling thread until the execution has ended and given back its memory: call them from
 * application threads. Inside a reactive pipeline use their {@code Mono} forms ({@link
 * #countMono()}, {@link #takeAllMono()}, {@link #writeParquetMono(String)}, ...), which never
 * block, or {@link #toFlux(Function)}, {@link #iterRows()}, {@link #iterBatches(int)}.
 *
 * <p>Executions run in the dataset's {@link TributaryRuntime} ({@link #withRuntime}), else the
 * {@linkplain TributaryRuntime#defaultRuntime() default} one.
 */
public class Dataset {
  /** Requests at once of {@link #download(String, String)}. */
  static final int DEFAULT_DOWNLOADS = 8;
  final LogicalPlan plan;
  private final DataContext context;
  private final TributaryRuntime runtime;
  private final AtomicReference<ExecutionStats> lastStats;

  Dataset(LogicalPlan plan, DataContext context) {
    this(plan, context, null);
  }

  Dataset(LogicalPlan plan, DataContext context, TributaryRuntime runtime) {
    this(plan, context, runtime, new AtomicReference<>());
  }

  private Dataset(LogicalPlan plan, DataContext context, TributaryRuntime runtime,
      AtomicReference<ExecutionStats> lastStats) {
    this.plan = plan;
    this.context = context;
    this.runtime = runtime;
    this.lastStats = lastStats;
  }

  Dataset derive(LogicalPlan node) {
    return new Dataset(node, context, runtime);
  }

  /** A dataset over {@code node} whose executions count as this dataset's (for stats). */
  private Dataset sharingStats(LogicalPlan node) {
    return new Dataset(node, context, runtime, lastStats);
  }

  /**
   * This dataset as {@code engine} computes it (see {@link Engine}): {@link Engine#local()}
   * answers the dataset itself; a distributed engine a dataset that runs the plan on its workers
   * each time it runs, and reads the gathered result ({@link #writeParquet} of it writes from
   * the workers instead).
   *
   * @throws UnsupportedPlanException if {@code engine} cannot run this plan
   */
  public Dataset execute(Engine engine) {
    return Objects.requireNonNull(engine, "engine").run(this);
  }

  /** The context this dataset executes with: its own, else {@link DataContext#current()}. */
  public DataContext context() {
    return context != null ? context : DataContext.current();
  }

  /** The same plan, executed with {@code context}. */
  public Dataset withContext(DataContext context) {
    return new Dataset(plan, Objects.requireNonNull(context, "context"), runtime);
  }

  /**
   * The runtime this dataset executes in: its own, else the {@linkplain
   * TributaryRuntime#defaultRuntime() default runtime}.
   */
  public TributaryRuntime runtime() {
    return runtime != null ? runtime : TributaryRuntime.defaultRuntime();
  }

  /** The same plan, executed in {@code runtime} (its arena, schedulers and budgets). */
  public Dataset withRuntime(TributaryRuntime runtime) {
    return new Dataset(plan, context, Objects.requireNonNull(runtime, "runtime"));
  }

  // ---------------------------------------------------------------- one-to-one transforms

  /** Applies {@code fn} to every row; output columns are inferred from the returned maps. */
  public Dataset map(RowFunction fn) {
    return derive(new MapRows(plan, "Map", RowTransforms.map(fn), null));
  }

  /**
   * Replaces every row by the zero or more rows {@code fn} returns. Output rows are cut into
   * blocks as they are produced and made only as downstream asks, so one row may expand into
   * more rows than the memory limit holds; return a lazy {@code Iterable} (not a {@code List})
   * for large expansions so the rows are not all built on the heap first.
   */
  public Dataset flatMap(FlatMapFunction fn) {
    return derive(new FlatMap(plan, Objects.requireNonNull(fn, "fn")));
  }

  /**
   * Keeps the rows for which {@code keep} is true. The predicate is opaque to the optimizer: for
   * a filter a Parquet read can apply itself, use {@link #where(FilterPredicate)}.
   */
  public Dataset filter(RowPredicate keep) {
    return derive(Filter.opaque(plan, "Filter", RowTransforms.filter(keep)));
  }

  /**
   * Keeps the rows where the expression {@code predicate} is true ({@code filter(col("x").gt(0))};
   * a null is not true, as in SQL). Typed now when the input's schema is known (an {@link
   * ExpressionException} names the expression and the column types); runs vectorized, fused with
   * the expression steps next to it, and where it is a comparison of an integer, string or
   * boolean column with a literal (or {@code and}/{@code or}/{@code not}/{@code isNull}/{@code
   * isIn} of those) the optimizer pushes it into the Parquet reads under it, as {@link
   * #where(FilterPredicate)}; of an {@code and}, the conjuncts that are such comparisons are
   * pushed and the others run after the read. {@code Expr} is not a functional interface, so {@code filter(row ->
   * ...)} still means {@link #filter(RowPredicate)}.
   */
  public Dataset filter(Expr predicate) {
    return derive(Filter.split(plan, Objects.requireNonNull(predicate, "predicate")));
  }

  /**
   * Keeps the rows {@code predicate} (built with parquet-mr's {@code FilterApi}) accepts, with
   * Parquet's semantics (a comparison with a null is false; {@code eq(c, null)} keeps nulls):
   * a filter the optimizer understands, where {@link #filter(RowPredicate)} is opaque (its own name,
   * so a lambda passed to {@code filter} is never ambiguous).
   * The optimizer pushes it into the Parquet reads under it ({@link
   * dev.tributary.connectors.ParquetSource#filter}: row groups whose statistics rule it out are
   * not read), through projections that keep its columns' names, re-cuts, other filters and
   * unions; elsewhere (other sources, or above a user function) it runs as a row filter. Either
   * way the rows are the same. Column types map as Parquet writes them: {@code longColumn} for
   * int64, {@code intColumn} for int8 to int32 and dates, {@code binaryColumn} for utf8 and
   * binary, {@code doubleColumn}, {@code floatColumn}, {@code booleanColumn}.
   *
   * @throws ColumnException if (when the input's columns are known without running) a column it
   *     tests is missing or of a type the predicate's column does not fit
   * @throws IllegalArgumentException for a predicate rows cannot be tested by ({@code contains})
   */
  public Dataset where(FilterPredicate predicate) {
    ParquetFilter filter = ParquetFilter.of(Objects.requireNonNull(predicate, "predicate"));
    Schema known = plan.schema();
    if (known != null) {
      filter.check(known, "where");
    } else {
      requireColumns("where", List.copyOf(filter.columns()));
    }
    return derive(Filter.of(plan, filter));
  }

  /**
   * A vectorised filter: {@code keep} sees each block as a read-only zero-copy Arrow batch and
   * returns one flag per row, true to keep it; much faster than {@link #filter} for simple
   * column predicates (no per-row map, no boxing).
   */
  public Dataset filterBatches(BatchPredicate keep) {
    return derive(Filter.opaque(plan, "FilterBatches", BatchFilter.of(keep)));
  }

  /** Applies a column-batch function to whole blocks, inline. */
  public Dataset mapBatches(BatchFunction fn) {
    return mapBatches(fn, MapBatchesOptions.DEFAULTS);
  }

  /**
   * Applies a function to column batches (Ray's "numpy" format): a {@link ColumnBatch}, a map
   * from column name to Java array (a copy, see {@link Batches}; decoded only as the function
   * reads it), returning another such map (any row count, all columns equally long). Read
   * numeric columns with {@code batch.doubles("x")} / {@code batch.longs("x")} and {@code
   * batch.nulls("x")}: they work for required and optional (nullable) columns alike, where
   * {@code get} gives a boxed array for the latter. Arrays returned unchanged keep their Arrow
   * vectors ({@link HandedBatch}). A returned map without an order of its own ({@code Map.of})
   * gives the input's columns in their order, then new columns sorted by name.
   *
   * <p>With {@link MapBatchesOptions#withConcurrency} above 1, this one {@code fn} object is
   * called from several threads at once: it must be thread-safe. For a model or anything with
   * state, pass a factory instead ({@link #mapBatches(FunctionFactory, MapBatchesOptions)}).
   *
   * @throws IllegalArgumentException if the options ask for a pool (a pool needs a factory)
   */
  public Dataset mapBatches(BatchFunction fn, MapBatchesOptions options) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(options, "options");
    return mapBatches(columnBatches(fn), options);
  }

  /**
   * Applies a stateful column-batch function on a pool of workers: each worker calls {@code
   * factory} once (load the model there), reuses its instance for every batch it takes, never
   * shares it with another thread, and closes it if it is {@link AutoCloseable} (at the end, on
   * cancel, on error, or when the pool shrinks). The options' compute strategy sizes the pool:
   * {@link ComputeStrategy#pool(int, int)}, or {@link MapBatchesOptions#withConcurrency} {@code
   * n} for a pool of exactly {@code n} (the default: one worker). Batches are as for {@link
   * #mapBatches(BatchFunction, MapBatchesOptions)}.
   */
  public Dataset mapBatches(
      FunctionFactory<? extends Function<? super ColumnBatch, Map<String, Object>>> factory,
      MapBatchesOptions options) {
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(options, "options");
    return pooled(factory, (Function<Function<? super ColumnBatch, Map<String, Object>>,
        BlockTransform> & Serializable) Dataset::columnBatches, options);
  }

  /**
   * {@link #mapBatches(FunctionFactory, MapBatchesOptions)} with instances made by the public
   * constructor of {@code type} that takes {@code args} (checked here), one per worker.
   *
   * @throws IllegalArgumentException if no public constructor of {@code type} takes {@code args}
   */
  public <F extends Function<? super ColumnBatch, Map<String, Object>>> Dataset mapBatches(
      Class<F> type, MapBatchesOptions options, Object... args) {
    Objects.requireNonNull(options, "options");
    return pooled(InstanceFactory.of(type, args), (Function<F, BlockTransform> & Serializable)
        Dataset::columnBatches, options);
  }

  private static BlockTransform columnBatches(
      Function<? super ColumnBatch, Map<String, Object>> fn) {
    return BlockTransform.reading((in, out) -> HandedBatch.of(in).apply(fn, out));
  }

  private Dataset mapBatches(BlockTransform transform, MapBatchesOptions options) {
    if (options.compute() instanceof ComputeStrategy.Pool) {
      throw new IllegalArgumentException("a pool runs one instance per worker, so it needs a "
          + "factory: mapBatches(() -> new MyFunction(...), options) or "
          + "mapBatches(MyFunction.class, options, args...)");
    }
    return derive(new MapBatches(plan, options.name(),
        RetriedTransform.of(transform, options.name(), options), options.batchSize(),
        options.concurrency()));
  }

  /** A pooled stage whose workers each run {@code runner} over their own instance. */
  private <F> Dataset pooled(FunctionFactory<? extends F> factory,
      Function<F, BlockTransform> runner,
      MapBatchesOptions options) {
    int min = options.compute() instanceof ComputeStrategy.Pool p ? p.min()
        : options.concurrency();
    // Serializable (with the runner), so that the pool can travel to another engine's workers.
    FunctionFactory<BlockTransform> instances = () -> PoolInstance.of(factory, runner);
    return derive(new PooledMapBatches(plan, options.name(), instances, options.batchSize(), min,
        options.concurrency()));
  }

  /**
   * Applies a function to Arrow batches (Ray's "pyarrow" format): an Arrow record batch (a
   * read-only zero-copy view when {@link MapBatchesOptions#zeroCopyBatch()}, else a copy).
   * Thread-safety and state as for {@link #mapBatches(BatchFunction, MapBatchesOptions)}.
   *
   * @throws IllegalArgumentException if the options ask for a pool (a pool needs a factory)
   */
  public Dataset mapBatchesArrow(ArrowBatchFunction fn, MapBatchesOptions options) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(options, "options");
    return mapBatches(arrowBatches(fn, options.zeroCopyBatch()), options);
  }

  /**
   * {@link #mapBatchesArrow(ArrowBatchFunction, MapBatchesOptions)} with a stateful function on
   * a pool of workers, each with its own instance from {@code factory}, as for {@link
   * #mapBatches(FunctionFactory, MapBatchesOptions)}.
   */
  public Dataset mapBatchesArrow(FunctionFactory<? extends ArrowBatchFunction> factory,
      MapBatchesOptions options) {
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(options, "options");
    boolean zeroCopy = options.zeroCopyBatch();
    return pooled(factory, (Function<ArrowBatchFunction, BlockTransform> & Serializable)
        fn -> arrowBatches(fn, zeroCopy), options);
  }

  private static BlockTransform arrowBatches(ArrowBatchFunction fn, boolean zeroCopy) {
    // The result's vectors are moved (zero-copy) into a block of their own: whether the function
    // built them, returned the batch it was given, or reused some of its vectors, the result owns
    // them and closing the batch frees only what the result does not hold.
    return BlockTransform.reading((in, out) -> {
      try (Block batch = zeroCopy ? in.retain() : Blocks.concat(List.of(in), out)) {
        VectorSchemaRoot result = fn.apply(batch.root(), out.allocator());
        if (result == null) {
          throw new IllegalStateException("the batch function returned null; return a batch");
        }
        return Block.adopt(result, out);
      }
    });
  }

  /**
   * Applies a batch function on GPUs: each block, as a read-only zero-copy Arrow batch, goes to
   * {@code fn} with a {@link Device} to compute on, on the dedicated thread of one of {@code
   * compute}'s devices (a CUDA context never changes threads; blocks go to the devices in turn).
   * The stage is governed like any other; device memory is charged to each device's arena
   * ({@link TributaryRuntime.Builder#gpuMemoryFraction}) and freed when each call returns.
   *
   * <p>Where no device can be used (no GPU, no driver, no JCuda natives, or {@code
   * -Dtributary.gpu.disabled=true}) the same function runs on the CPU with a host {@link Device}
   * (its memory charged to the stage's account) and gives the same results; the reason is
   * logged once. <pre>{@code
   * ds.rebatch(65_536).mapBatches((batch, device, out) -> ..., GpuCompute.gpu(0))
   * }</pre>
   *
   * @throws GpuException if the machine has CUDA devices but not one that {@code compute} names
   */
  public Dataset mapBatches(GpuBatchFunction fn, GpuCompute compute) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(compute, "compute");
    Gpus.check(compute);
    // As for mapBatchesArrow: the function sees a handle of its own to the input, and whatever
    // it returns (that batch, a new one, or a mix) is moved into a block of its own, so closing
    // the input afterwards frees only what the result does not hold.
    BlockTransform t = BlockTransform.reading((in, out) -> {
      try (Block batch = in.retain()) {
        VectorSchemaRoot result;
        try (Device device = Device.open(out.name(), out.allocator())) {
          result = fn.apply(batch.root(), device, out.allocator());
        }
        if (result == null) {
          throw new IllegalStateException("the batch function returned null; return a batch");
        }
        return Block.adopt(result, out);
      }
    });
    return derive(new MapBatches(plan, "MapBatchesGpu", t, 0, 1, compute));
  }

  /**
   * Adds column {@code bytesColumn}: the body of the {@code http(s)://} URL in each row's string
   * column {@code urlColumn} (Ray's {@code download}), fetched with Reactor Netty, at most 8
   * requests at once; see {@link #download(String, String, int)}.
   */
  public Dataset download(String urlColumn, String bytesColumn) {
    return download(urlColumn, bytesColumn, DEFAULT_DOWNLOADS);
  }

  /**
   * Adds column {@code bytesColumn}: the body of the URL in each row's {@code urlColumn} (null
   * for a null URL), fetched with at most {@code concurrency} requests at once, each retried on
   * connection errors, 5xx and 429 ({@link dev.tributary.connectors.HttpInput#DEFAULT_RETRY}).
   * Rows are taken {@code concurrency} at a time, their requests sent at once, their bodies one
   * output block: the bytes count against the memory limit, and the governor slows the downloads
   * when memory is short (the bodies of {@code concurrency} rows must fit in the limit). A URL answering 404 fails the
   * execution with a {@link dev.tributary.operators.UserFunctionException} whose cause is a
   * {@link dev.tributary.connectors.MissingInputException} naming it.
   *
   * @throws IllegalArgumentException if {@code concurrency < 1}
   * @throws ColumnException if {@code urlColumn} is known not to exist, or {@code bytesColumn}
   *     does
   */
  public Dataset download(String urlColumn, String bytesColumn, int concurrency) {
    Objects.requireNonNull(urlColumn, "urlColumn");
    Objects.requireNonNull(bytesColumn, "bytesColumn");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
    requireColumns("download", List.of(urlColumn));
    List<String> known = plan.columns();
    if (known != null && known.contains(bytesColumn)) {
      throw new ColumnException(bytesColumn, "download: the column exists already");
    }
    // Calls of `concurrency` rows: the requests of one call run at once, and an output block
    // holds only that many bodies (a block of all the input's bodies could exceed the limit).
    return derive(new MapBatches(plan, "Download[" + urlColumn + "]",
        new Download(urlColumn, bytesColumn, concurrency), concurrency, 1, null, true));
  }

  /**
   * Re-cuts the blocks into blocks of {@code rows} rows (the last may be shorter): shrink blocks
   * before an inflationary step so each stays within budget, or grow tiny ones.
   *
   * @throws IllegalArgumentException if {@code rows < 1}
   */
  public Dataset rebatch(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rows must be >= 1, was " + rows);
    }
    return derive(new dev.tributary.plan.Rebatch(plan, rows));
  }

  /**
   * Keeps only the named columns, in that order (zero-copy). Right after a read that can skip
   * columns (Parquet), only these are read and decoded.
   *
   * @throws ColumnException if a column is named twice, or (when the input's columns are known
   *     without running, as for most sources) is not a column of the dataset
   */
  public Dataset select(String... columns) {
    return project(ColumnMapping.select(names("columns", columns)));
  }

  /**
   * Removes the named columns.
   *
   * @throws ColumnException if (when the input's columns are known without running) a column is
   *     not a column of the dataset
   */
  public Dataset drop(String... columns) {
    return project(ColumnMapping.drop(names("columns", columns)));
  }

  /**
   * Renames column {@code from} to {@code to}.
   *
   * @throws ColumnException if (when the input's columns are known without running) there is
   *     no column {@code from}, or another column is already named {@code to}; when they are
   *     known only by running, the same error fails the execution
   */
  public Dataset rename(String from, String to) {
    return project(ColumnMapping.rename(from, to));
  }

  /** A projection, checked now against the input's columns when they are known. */
  private Dataset project(ColumnMapping mapping) {
    List<String> known = plan.columns();
    if (known != null) {
      mapping.mapping(known);
    }
    return derive(new Project(plan, mapping));
  }

  /** Adds (or replaces) column {@code name}, computed from each row. */
  public Dataset withColumn(String name, ColumnFunction fn) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(fn, "fn");
    return derive(new MapRows(plan, "WithColumn[" + name + "]",
        RowTransforms.withColumn(name, fn), c -> {
          if (c.contains(name)) {
            return c;
          }
          List<String> out = new ArrayList<>(c);
          out.add(name);
          return out;
        }));
  }

  /**
   * Adds (or replaces, in place) column {@code name} computed by {@code expr}, vectorized
   * ({@code withColumn("z", col("x").times(2).plus(col("y")))}). Typed now when the input's
   * schema is known.
   *
   * @throws ExpressionException if {@code expr} does not type-check against the known schema
   */
  public Dataset withColumn(String name, Expr expr) {
    Map<String, Expr> one = new java.util.LinkedHashMap<>();
    one.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(expr, "expr"));
    return evaluate(Evaluation.withColumns(one));
  }

  /**
   * Adds or replaces several columns, each computed from the input (not from each other). Replaced
   * columns keep their place; new ones follow the input's columns in the map's order when it has
   * one ({@code LinkedHashMap}, {@code SortedMap}), else sorted by name, so {@code Map.of(...)}
   * gives the same column order on every run.
   *
   * @throws ExpressionException if an expression does not type-check against the known schema
   */
  public Dataset withColumns(Map<String, Expr> columns) {
    return evaluate(Evaluation.withColumns(columns));
  }

  /**
   * Exactly these expressions' columns, in order, named by {@link Expr#alias} (a column
   * reference keeps its name, and its type and buffers: no copy).
   *
   * @throws ExpressionException if an expression does not type-check against the known schema,
   *     or two have the same name
   */
  public Dataset select(Expr... columns) {
    return evaluate(Evaluation.select(List.of(columns)));
  }

  private Dataset evaluate(Evaluation evaluation) {
    Evaluate node = new Evaluate(plan, evaluation);
    // Typed now when the input's schema is known; else at the first block.
    node.schema();
    return derive(node);
  }

  /**
   * The first {@code rows} rows; upstream work stops once they are produced. Over a Parquet read
   * with no opaque filter or batch function in between, only the row groups holding them are
   * read.
   *
   * @throws IllegalArgumentException if {@code rows < 0}
   */
  public Dataset limit(long rows) {
    nonNegative("rows", rows);
    return derive(new Limit(plan, rows));
  }

  /**
   * This dataset's rows followed by those of {@code others}. Their schemas must unify: the same
   * column names in the same order, and the same types, except that a column null in every row
   * of a block takes the type the others give it ({@link Schemas#unify}).
   *
   * @throws SchemaMismatchException if they do not, checked here when the schemas (or column
   *     names) are known without running, else when the first block that differs arrives
   */
  public Dataset union(Dataset... others) {
    Objects.requireNonNull(others, "others");
    List<LogicalPlan> inputs = new ArrayList<>();
    inputs.add(plan);
    for (int i = 0; i < others.length; i++) {
      inputs.add(Objects.requireNonNull(others[i], "others[" + i + "]").plan);
    }
    Schema unified = plan.schema();
    List<String> columns = plan.columns();
    for (Dataset other : others) {
      Schema s = other.plan.schema();
      if (unified != null && s != null) {
        unified = Schemas.unify(unified, s, "union");
      } else {
        List<String> c = other.plan.columns();
        if (columns != null && c != null && !columns.equals(c)) {
          throw new SchemaMismatchException("union", columns, c);
        }
      }
    }
    return derive(new Union(inputs));
  }

  // ---------------------------------------------------------------- aggregations

  /**
   * Groups rows by the values of {@code keys} (null values form a group of their own), for
   * aggregations per group ({@link GroupedDataset#aggregate}) or a function over each whole
   * group ({@link GroupedDataset#mapGroups}). Nothing runs yet.
   *
   * @throws IllegalArgumentException if no key is given
   * @throws ColumnException if a key is named twice or (when the columns are known without
   *     running) is not a column of the dataset
   */
  public GroupedDataset groupBy(String... keys) {
    List<String> k = names("keys", keys);
    if (k.isEmpty()) {
      throw new IllegalArgumentException("groupBy needs at least one key column");
    }
    if (k.stream().distinct().count() != k.size()) {
      throw new ColumnException(k.toString(), "groupBy: a key is named twice");
    }
    requireColumns("groupBy", k);
    return new GroupedDataset(this, k);
  }

  /**
   * A dataset of the aggregations by {@code keys}: checked here against the columns (and their
   * types, when known without running).
   */
  Dataset aggregated(List<String> keys, List<Aggregate> aggregates) {
    Objects.requireNonNull(aggregates, "aggregates");
    if (aggregates.isEmpty()) {
      throw new IllegalArgumentException("aggregate needs at least one aggregation");
    }
    List<String> used = new ArrayList<>();
    for (Aggregate a : aggregates) {
      Objects.requireNonNull(a, "aggregates");
      if (a.column() != null) {
        used.add(a.column());
      }
    }
    requireColumns("aggregate", used);
    Schema known = plan.schema();
    if (known != null) {
      aggregates.forEach(a -> a.check(known));
    }
    List<String> out = new ArrayList<>(keys);
    aggregates.forEach(a -> out.add(a.name()));
    if (out.stream().distinct().count() != out.size()) {
      throw new ColumnException(out.toString(),
          "aggregate: two output columns share a name; name aggregations with as(...)");
    }
    return derive(new GroupAggregate(plan, keys, aggregates));
  }

  /**
   * Aggregations over all rows (Ray's {@code Dataset.aggregate}): one value per aggregation, by
   * its name ({@code "sum(x)"}, {@code "count()"}, or the name given with {@link Aggregate#as}).
   * Over no rows {@code count()} is 0 and the others null. See {@link Aggregate} for how nulls
   * and NaN count.
   *
   * @throws ColumnException if an aggregated column is missing or of a type the aggregation
   *     cannot read (checked here when the columns are known without running)
   */
  public Map<String, Object> aggregate(Aggregate... aggregates) {
    return aggregateMono(aggregates).block();
  }

  /** {@link #aggregate} without blocking: the values once the execution has ended. */
  public Mono<Map<String, Object>> aggregateMono(Aggregate... aggregates) {
    Objects.requireNonNull(aggregates, "aggregates");
    Dataset input = this;
    List<Aggregate> wanted = Arrays.asList(aggregates);
    // A distributed engine's result: each worker aggregates its partition, only those rows come.
    if (plan instanceof Read r && r.source() instanceof Engine.Result engine
        && wanted.stream().allMatch(a -> a != null && a.combiner().isPresent())) {
      Optional<Dataset> parts = engine.partialAggregates(wanted);
      if (parts.isPresent()) {
        input = new Dataset(parts.get().plan, context, runtime);
        wanted = wanted.stream().map(a -> a.combiner().orElseThrow()).toList();
      }
    }
    Dataset result = input.aggregated(List.of(), wanted);
    return sharingStats(result.plan).takeAllMono().map(rows -> rows.get(0));
  }

  /** The value of one global aggregation; an empty {@code Mono} when it is null. */
  private Mono<Object> single(Aggregate aggregate) {
    return aggregateMono(aggregate).flatMap(row -> Mono.justOrEmpty(row.get(aggregate.name())));
  }

  /**
   * The sum of a numeric column (nulls and NaN skipped): a {@code Long} for an integer column,
   * a {@code Double} for a floating one; null when it has no value.
   */
  public Number sum(String column) {
    return sumMono(column).block();
  }

  /** {@link #sum} without blocking (empty when the sum is null). */
  public Mono<Number> sumMono(String column) {
    return single(Aggregate.sum(column)).cast(Number.class);
  }

  /** The smallest value of a column (nulls and NaN skipped); null when it has no value. */
  public Object min(String column) {
    return minMono(column).block();
  }

  /** {@link #min} without blocking (empty when null). */
  public Mono<Object> minMono(String column) {
    return single(Aggregate.min(column));
  }

  /** The largest value of a column (nulls and NaN skipped); null when it has no value. */
  public Object max(String column) {
    return maxMono(column).block();
  }

  /** {@link #max} without blocking (empty when null). */
  public Mono<Object> maxMono(String column) {
    return single(Aggregate.max(column));
  }

  /** The mean of a numeric column (nulls and NaN skipped); null when it has no value. */
  public Double mean(String column) {
    return meanMono(column).block();
  }

  /** {@link #mean} without blocking (empty when null). */
  public Mono<Double> meanMono(String column) {
    return single(Aggregate.mean(column)).cast(Double.class);
  }

  /**
   * The standard deviation of a numeric column with {@code ddof} delta degrees of freedom (Ray's
   * default is 1; nulls and NaN skipped); null with fewer than {@code ddof + 1} values.
   */
  public Double std(String column, int ddof) {
    return stdMono(column, ddof).block();
  }

  /** {@link #std} without blocking (empty when null). */
  public Mono<Double> stdMono(String column, int ddof) {
    return single(Aggregate.std(column, ddof)).cast(Double.class);
  }

  /**
   * The distinct values of a column, sorted (nulls and NaN skipped), like Ray's {@code unique}.
   * Computed as a group-by on the column, so distinct values beyond the memory limit spill to
   * disk like any group-by's groups (only the returned list is on the heap); {@link
   * Aggregate#unique} in a global {@link #aggregate} instead holds every value in memory.
   *
   * @throws ColumnException if the column is missing (checked here when the columns are known)
   */
  public List<Object> unique(String column) {
    return uniqueMono(column).block();
  }

  /** {@link #unique} without blocking. */
  public Mono<List<Object>> uniqueMono(String column) {
    Objects.requireNonNull(column, "column");
    requireColumns("unique", List.of(column));
    Dataset groups = select(column).groupBy(column).aggregate(
        Aggregate.count().as(column + " count"));
    return sharingStats(groups.plan).toFlux(b -> ColumnReader.values(b, column))
        .collect(ArrayList::new, (List<Object> all, Object[] values) -> all.addAll(
            Arrays.asList(values)))
        .map(Aggregate::uniqueOrder);
  }

  // ---------------------------------------------------------------- joins

  /**
   * Joins this dataset (left) with {@code other} (right) on equal values of the columns {@code
   * on}, keeping the rows {@code how} says (Ray Data's join types: inner, left/right/full outer,
   * left semi, left anti). Output columns: the keys once (from the left row, or the right row
   * when there is no left one), then this dataset's other columns, then {@code other}'s (semi
   * and anti joins: this dataset's columns only). Null keys never match. The right side is read
   * first: when it fits its budget it is one hash table and the left side streams through it in
   * order (broadcast); otherwise both sides are hash-partitioned, spilled, and joined partition
   * by partition (grace), rows then in no particular order. Runs in this dataset's runtime and
   * context.
   *
   * @throws IllegalArgumentException if no key is given
   * @throws ColumnException if a key is missing on a side, named twice, or another column is on
   *     both sides (rename it first), checked here when the columns are known without running
   * @throws JoinKeyMismatchException if a key has different types on the two sides, checked
   *     here when both schemas are known, else when the first blocks meet
   */
  public Dataset join(Dataset other, List<String> on, JoinType how) {
    Objects.requireNonNull(other, "other");
    Objects.requireNonNull(how, "how");
    List<String> keys = List.copyOf(Objects.requireNonNull(on, "on"));
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("join needs at least one key column");
    }
    if (keys.stream().distinct().count() != keys.size()) {
      throw new ColumnException(keys.toString(), "join: a key is named twice");
    }
    requireColumns("join (left side)", keys);
    other.requireColumns("join (right side)", keys);
    Schema left = plan.schema();
    Schema right = other.plan.schema();
    if (left != null && right != null) {
      HashJoin.checkKeys(keys, left, right);
    }
    List<String> l = plan.columns();
    List<String> r = other.plan.columns();
    if (!how.leftColumnsOnly() && l != null && r != null) {
      for (String c : r) {
        if (!keys.contains(c) && l.contains(c)) {
          throw new ColumnException(c, "join: the column is on both sides and is not a key;"
              + " rename or drop it on one side first");
        }
      }
    }
    return derive(new Join(plan, other.plan, keys, how));
  }

  /** An inner join on equal values of the column {@code on}; see {@link #join(Dataset, List, JoinType)}. */
  public Dataset join(Dataset other, String on) {
    return join(other, List.of(Objects.requireNonNull(on, "on")), JoinType.INNER);
  }

  /**
   * The rows sorted by {@code columns}, ascending, nulls last (Ray Data's default); stable: rows
   * with equal keys keep their order. An external merge sort: it holds up to a quarter of the
   * memory limit and spills sorted runs beyond it ({@link DataContext#spill()}), then merges them
   * as the output streams. Doubles order as {@link Double#compare} does (NaN above every number);
   * strings and binaries by their bytes, unsigned (UTF-8: code point order).
   *
   * @throws ColumnException if a column is unknown (checked here when the columns are known)
   */
  public Dataset sort(String... columns) {
    return sort(names("columns", columns), false, true);
  }

  /**
   * The rows sorted by {@code columns}, all {@code descending} or not, nulls last or first; see
   * {@link #sort(String...)}.
   *
   * @throws ColumnException if a column is unknown (checked here when the columns are known)
   */
  public Dataset sort(List<String> columns, boolean descending, boolean nullsLast) {
    Objects.requireNonNull(columns, "columns");
    return sort(columns.stream().map(c -> new SortKey(c, descending, nullsLast))
        .toArray(SortKey[]::new));
  }

  /**
   * The rows sorted by {@code keys}, each with its own direction and null placement; see {@link
   * #sort(String...)}.
   *
   * @throws ColumnException if a key's column is unknown, or a list, struct or map column
   *     (checked here when the columns, and their types, are known; else when the first block
   *     arrives)
   */
  public Dataset sort(SortKey... keys) {
    Objects.requireNonNull(keys, "keys");
    if (keys.length == 0) {
      throw new IllegalArgumentException("sort needs at least one key");
    }
    List<SortKey> list = List.of(keys);
    requireColumns("sort", list.stream().map(SortKey::column).toList());
    Schema schema = plan.schema();
    if (schema != null) {
      ExternalSort.checkKeys(list, schema);
    }
    return derive(new Sort(plan, list));
  }

  /**
   * The rows in a random order drawn from {@code seed}: the same input in the same order gives the
   * same output. Rows go to random partitions of an exchange (spilled when they outgrow a quarter
   * of the memory limit), then each partition is permuted in memory.
   */
  public Dataset randomShuffle(long seed) {
    return derive(new Shuffle(plan, seed));
  }

  /**
   * The blocks, unchanged, in a random order drawn from {@code seed} (Ray Data's {@code
   * randomize_block_order}): a cheap shuffle that moves whole blocks and copies no rows. The same
   * blocks in the same order give the same output. Blocks are gathered by an exchange (held up to
   * a quarter of the memory limit, spilled beyond it), then read back in the drawn order.
   */
  public Dataset randomizeBlockOrder(long seed) {
    return derive(new BlockShuffle(plan, seed));
  }

  /**
   * Row-aligned column concatenation (Ray Data's {@code zip}): row {@code i} of the result has
   * this dataset's columns of its row {@code i}, then {@code other}'s. Both stream side by side:
   * {@code other}'s blocks are re-cut to the sizes of this one's, nothing is materialized. Runs in
   * this dataset's runtime and context.
   *
   * @throws ColumnException if a column is on both sides (rename or drop it first), checked here
   *     when both sides' columns are known, else when the first blocks meet
   * @throws RowCountMismatchException (as an error signal, after the rows zipped before) when
   *     the two datasets have different row counts, naming both
   */
  public Dataset zip(Dataset other) {
    Objects.requireNonNull(other, "other");
    List<String> l = plan.columns();
    List<String> r = other.plan.columns();
    if (l != null && r != null) {
      for (String c : r) {
        if (l.contains(c)) {
          throw new ColumnException(c, "zip: the column is on both sides; rename or drop it on"
              + " one side first");
        }
      }
    }
    return derive(new Zip(plan, other.plan));
  }

  /**
   * About {@code fraction} of the rows, each kept with that probability, drawn from {@code seed}
   * in row order: the same seed over the same input order keeps the same rows.
   *
   * @throws IllegalArgumentException unless {@code 0 <= fraction <= 1}
   */
  public Dataset randomSample(double fraction, long seed) {
    return derive(new Sample(plan, fraction, seed));
  }

  /**
   * The rows in {@code blocks} blocks of even size (differing by at most one row), in order.
   *
   * @throws IllegalArgumentException if {@code blocks < 1}
   */
  public Dataset repartition(int blocks) {
    return derive(new Repartition(plan, blocks, List.of()));
  }

  /**
   * The rows in at most {@code blocks} blocks by hash of {@code keys}: rows with equal keys land
   * in the same block.
   *
   * @throws ColumnException if a key is unknown (checked here when the columns are known)
   */
  public Dataset repartition(int blocks, String... keys) {
    List<String> list = names("keys", keys);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("repartition by keys needs at least one key");
    }
    requireColumns("repartition", list);
    return derive(new Repartition(plan, blocks, list));
  }

  /**
   * Materializes the dataset ({@link StorageLevel#MEMORY_AND_DISK}) and cuts it into {@code n}
   * parts in order: with {@code equal}, each of exactly {@code count / n} rows (the remainder
   * dropped, as Ray Data does); without, of sizes differing by at most one row. The parts share
   * the kept blocks, freed once every part is unpersisted.
   *
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public List<MaterializedDataset> split(int n, boolean equal) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    MaterializedDataset all = materialize();
    try {
      long rows = all.rows();
      // With equal, one more cut: the last part is the remainder, dropped.
      long[] cuts = new long[equal ? n : n - 1];
      for (int i = 1; i <= cuts.length; i++) {
        cuts[i - 1] = equal ? i * (rows / n) : i * rows / n;
      }
      List<MaterializedDataset> parts = new ArrayList<>(all.splitAt(cuts));
      if (equal) {
        parts.remove(n).unpersist();
      }
      return parts;
    } finally {
      all.unpersist(); // the parts keep the blocks
    }
  }

  /**
   * Materializes the dataset ({@link StorageLevel#MEMORY_AND_DISK}) and cuts it at the row
   * {@code indices} (ascending): {@code indices.length + 1} parts in order, sharing the kept
   * blocks, freed once every part is unpersisted.
   *
   * @throws IllegalArgumentException if the indices are not ascending within the row count
   */
  public List<MaterializedDataset> splitAt(long... indices) {
    Objects.requireNonNull(indices, "indices");
    MaterializedDataset all = materialize();
    try {
      return all.splitAt(indices);
    } finally {
      all.unpersist(); // the parts keep the blocks
    }
  }

  /**
   * The rows shuffled with {@code seed} ({@link #randomShuffle(long)}), then cut into a train part
   * and a test part of {@code round(count * testFraction)} rows: deterministic per seed.
   *
   * @throws IllegalArgumentException unless {@code 0 < testFraction < 1}
   */
  public List<MaterializedDataset> trainTestSplit(double testFraction, long seed) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("testFraction must be in (0, 1), was " + testFraction);
    }
    MaterializedDataset all = randomShuffle(seed).materialize();
    try {
      long rows = all.rows();
      return all.splitAt(rows - Math.round(rows * testFraction));
    } finally {
      all.unpersist(); // the parts keep the blocks
    }
  }

  /** {@code columns} as a list, refusing a null array or element by the argument's name. */
  private static List<String> names(String argument, String[] columns) {
    Objects.requireNonNull(columns, argument);
    for (int i = 0; i < columns.length; i++) {
      Objects.requireNonNull(columns[i], argument + "[" + i + "]");
    }
    return List.of(columns);
  }

  /** Checks that {@code names} are columns of this dataset, when its columns are known. */
  private void requireColumns(String operation, List<String> names) {
    List<String> known = plan.columns();
    if (known == null) {
      return;
    }
    for (String n : names) {
      if (!known.contains(n)) {
        throw new ColumnException(n, operation + ": no such column; the dataset has " + known);
      }
    }
  }

  // ---------------------------------------------------------------- consumption

  /**
   * The raw governed stream of blocks; each subscription executes the plan. <b>The subscriber owns
   * every block it receives and must close it</b>; blocks it never receives are released by
   * Tributary, also on cancel and error. A block dropped unclosed (a {@code count()} of the
   * stream, a prefetched block left in {@code toStream()} or {@code toIterable()}) is reclaimed
   * once unreachable and reported as a leak naming the execution; until then it holds memory. To
   * need no closing, use {@link #toFlux(Function)}, {@link #iterator()} (closeable), {@link
   * #iterRows()} or {@link #iterBatches(int)}. A {@link DataContext} under {@link
   * DataContext#CONTEXT_KEY}, or a {@link TributaryRuntime} under {@link
   * TributaryRuntime#CONTEXT_KEY}, in the subscriber's Reactor context overrides this dataset's.
   */
  public Flux<Block> toFlux() {
    return execute((e, blocks) -> blocks.map(e::handOut));
  }

  /**
   * The stream of {@code fn}'s results, one per block: {@code fn} reads the block inside
   * Tributary, which closes it afterwards, so nothing needs closing (the block must not be kept;
   * {@code fn} must not return null). For example {@code ds.toFlux(Block::rowCount)}.
   */
  public <T> Flux<T> toFlux(Function<? super Block, ? extends T> fn) {
    Objects.requireNonNull(fn, "fn");
    return execute((e, blocks) -> blocks.map(b -> {
      try {
        return fn.apply(b);
      } finally {
        b.release(); // a no-op if fn closed it or moved it to an account of its own
      }
    }));
  }

  /**
   * The blocks, one at a time on the calling thread, from an iterator that must be closed: {@code
   * try (BlockIterator blocks = ds.iterator()) { ... }}. Closing it (also after a {@code break})
   * cancels the execution and releases what it prefetched at once; each block {@code next()}
   * returns is the caller's to close. Like the blocking consumers, not for reactive pipelines.
   */
  public BlockIterator iterator() {
    return new BlockIterator(onStart -> Execution.run(plan, this::runtime, context(),
        lastStats::set, onStart, (e, blocks) -> blocks.map(e::handOut)));
  }

  /** Runs one execution per subscription, handing its governed blocks to {@code consumer}. */
  private <T> Flux<T> execute(
      BiFunction<Execution, Flux<Block>, ? extends Publisher<T>> consumer) {
    return Execution.run(plan, this::runtime, context(), lastStats::set, e -> { }, consumer);
  }

  /**
   * Runs one execution per subscription; the result comes once the execution has ended, its
   * memory given back (see {@link Execution#runToEnd}). The blocking consumers wait for it.
   */
  <T> Mono<T> executeToEnd(BiFunction<Execution, Flux<Block>, Mono<T>> consumer) {
    return Execution.runToEnd(plan, this::runtime, context(), lastStats::set, consumer);
  }

  /** Rows one at a time; blocks are released as soon as their rows are read. */
  public Flux<Map<String, Object>> iterRows() {
    return execute((e, blocks) -> blocks.map(Dataset::rowsAndClose)
        .concatMapIterable(rows -> rows, 1));
  }

  /**
   * Column batches of exactly {@code batchSize} rows (the last may be shorter), re-batched across
   * blocks; each block is released once converted.
   *
   * @throws IllegalArgumentException if {@code batchSize < 1}
   */
  public Flux<Map<String, Object>> iterBatches(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    return execute((e, blocks) -> blocks
        .transform(Rebatch.of(batchSize, e.open("IterBatches")))
        .map(Dataset::batchAndClose));
  }

  /**
   * Column batches of {@code batchSize} rows drawn at random from a local buffer of at least
   * {@code localShuffleBufferSize} rows (Ray's {@code local_shuffle_buffer_size}), the same
   * order for the same {@code seed}: a cheap shuffle for training loops, mixing rows of many
   * blocks without a global shuffle. The buffer is charged to the execution.
   */
  public Flux<Map<String, Object>> iterBatches(int batchSize, int localShuffleBufferSize,
      long seed) {
    if (batchSize < 1 || localShuffleBufferSize < 1) {
      throw new IllegalArgumentException("batchSize and localShuffleBufferSize must be >= 1, were "
          + batchSize + " and " + localShuffleBufferSize);
    }
    return execute((e, blocks) -> blocks
        .transform(LocalShuffle.of(batchSize, localShuffleBufferSize, seed,
            e.open("IterBatches[shuffle]")))
        .map(Dataset::batchAndClose));
  }

  /**
   * A training feed: batches of {@code options.batchSize()} rows (optionally shuffled in a
   * local buffer, seeded; optionally without a short last batch), {@code prefetchBatches}
   * prepared ahead while the caller works, on the caller's thread. One execution per call: call
   * it once per epoch (it re-runs the pipeline), or on a {@link #materialize() materialized}
   * dataset to read memory instead of storage. {@code try (BatchIterator it =
   * ds.iterBatches(options)) { while (it.hasNext()) { Batch b = it.next(); ... } }}.
   */
  public BatchIterator iterBatches(IterBatchesOptions options) {
    return streamingSplit(1, false, options).get(0);
  }

  /** {@link #streamingSplit(int, boolean, IterBatchesOptions)} with the default options. */
  public List<BatchIterator> streamingSplit(int n, boolean equal) {
    return streamingSplit(n, equal, IterBatchesOptions.DEFAULTS);
  }

  /**
   * One execution split into {@code n} disjoint training feeds, one per training worker or
   * thread: every row goes to exactly one iterator. With {@code equal}, every iterator gets
   * exactly the same number of rows (up to {@code n - 1} rows of the last round are dropped) and
   * the fastest consumer runs at most {@code prefetchBatches} batches ahead of the slowest;
   * without, batches go to whoever has room, so a slow consumer holds back nobody (see {@link
   * BatchFeed}). The feed holds at most each consumer's {@code prefetchBatches}, the rest of the
   * source block being dealt and the next block, all charged to the execution. Each iterator is used by one thread; the execution ends when all are closed or
   * exhausted. One epoch per call, as for {@link #iterBatches(IterBatchesOptions)}.
   *
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public List<BatchIterator> streamingSplit(int n, boolean equal, IterBatchesOptions options) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    Objects.requireNonNull(options, "options");
    BatchFeed feed = new BatchFeed(n, equal, options);
    return feed.start(onStart -> Execution.run(plan, this::runtime, context(), lastStats::set,
        onStart, (e, blocks) -> feed.held(feedBatches(blocks, options, e.open("IterBatches")))));
  }

  /**
   * The blocks cut into the feed's batches, shuffled or in order, short last batch dropped; a
   * list of batches per block.
   */
  private static Flux<List<FeedCut>> feedBatches(Flux<Block> blocks, IterBatchesOptions options,
      Account account) {
    int rows = options.batchSize();
    Flux<List<FeedCut>> batches = options.localShuffleBufferSize() > 0
        ? blocks.transform(LocalShuffle.of(rows, options.localShuffleBufferSize(),
            options.localShuffleSeed(), account)).map(b -> List.of(FeedCut.of(b)))
        : blocks.transform(new FeedCutter(rows, account));
    if (!options.dropLast()) {
      return batches;
    }
    return batches.map(list -> {
      if (list.stream().allMatch(b -> b.rowCount() == rows)) {
        return list;
      }
      list.stream().filter(b -> b.rowCount() < rows).forEach(FeedCut::release);
      return list.stream().filter(b -> b.rowCount() == rows).toList();
    });
  }

  /** The first {@code n} rows, running only as much of the pipeline as needed. */
  public List<Map<String, Object>> take(int n) {
    return takeMono(n).block();
  }

  /** {@link #take(int)} without blocking: the rows once the execution has ended. */
  public Mono<List<Map<String, Object>>> takeMono(int n) {
    nonNegative("n", n);
    return sharingStats(new Limit(plan, n)).takeAllMono();
  }

  /** Every row. */
  public List<Map<String, Object>> takeAll() {
    return takeAllMono().block();
  }

  /**
   * {@link #takeAll()} without blocking: every row, once the execution has ended and its memory
   * is given back. For services on a reactive stack (never blocks a Reactor thread).
   */
  public Mono<List<Map<String, Object>>> takeAllMono() {
    return executeToEnd((e, blocks) -> blocks.map(Dataset::rowsAndClose)
        .reduceWith(ArrayList<Map<String, Object>>::new, (all, rows) -> {
          all.addAll(rows);
          return all;
        })
        .map(rows -> (List<Map<String, Object>>) rows));
  }

  /** The first {@code n} rows as one column batch. */
  public Map<String, Object> takeBatch(int n) {
    nonNegative("n", n);
    Map<String, Object> batch = sharingStats(new Limit(plan, n))
        .executeToEnd((e, blocks) -> blocks
            .collectList()
            .doOnDiscard(Block.class, Block::release)
            .map(held -> {
              try {
                if (held.isEmpty()) {
                  return Map.<String, Object>of();
                }
                try (Block all = Blocks.concat(held, held.get(0).owner())) {
                  return Batches.read(all);
                }
              } finally {
                held.forEach(Block::release);
              }
            }))
        .block();
    return batch == null ? Map.of() : batch;
  }

  /**
   * The number of rows; a plain source answers without reading, unless the context skips errored
   * blocks: only reading tells which rows are readable, and the count must be what a read gives.
   */
  public long count() {
    return countMono().block();
  }

  /**
   * {@link #count()} without blocking: a source's own count (a file footer, read on the
   * runtime's I/O threads) or the rows counted once the execution has ended.
   */
  public Mono<Long> countMono() {
    Mono<Long> read = executeToEnd((e, blocks) -> blocks
        .map(b -> {
          try (b) {
            return (long) b.rowCount();
          }
        })
        .reduce(0L, Long::sum));
    if (!(plan instanceof Read r) || context().maxErroredBlocks() > 0) {
      return read;
    }
    return Mono.fromCallable(r::rows)
        .subscribeOn(runtime().ioScheduler())
        .flatMap(rows -> rows >= 0 ? Mono.just(rows) : read);
  }

  /**
   * The schema: from the plan when every operator's output is known, otherwise by running the
   * pipeline until its first block, or (when a column is null in every row of the first
   * blocks) until the first block that gives every column a type, or the data ends: such a
   * column has Arrow's null type only if no row has a value. Null for a dataset of no blocks.
   */
  public Schema schema() {
    Schema known = plan.schema();
    if (known != null) {
      return known;
    }
    AtomicReference<Schema> seen = new AtomicReference<>();
    executeToEnd((e, blocks) -> blocks
        .map(b -> {
          try (b) {
            Schema before = seen.get();
            Schema next = before == null ? b.schema() : Schemas.unify(before, b.schema(), "schema");
            seen.set(next);
            return next;
          }
        })
        .takeUntil(s -> !Schemas.hasNullTypes(s))
        .then())
        .block();
    return seen.get();
  }

  /** Prints the first {@code n} rows as an aligned table to standard output. */
  public void show(int n) {
    nonNegative("n", n);
    System.out.print(Table.format(take(n)));
  }

  /** Prints the first 20 rows. */
  public void show() {
    show(20);
  }

  /**
   * Executes the plan once and keeps its blocks at {@link StorageLevel#MEMORY_AND_DISK}: in
   * memory up to half of the memory limit, spilled to disk beyond. The returned dataset re-reads
   * them as often as needed; {@link MaterializedDataset#unpersist()} frees memory and files.
   */
  public MaterializedDataset materialize() {
    return materialize(StorageLevel.MEMORY_AND_DISK);
  }

  /**
   * Executes the plan once and keeps its blocks at {@code level} (see {@link StorageLevel}).
   *
   * @throws dev.tributary.operators.exchange.InsufficientMemoryException at {@link
   *     StorageLevel#MEMORY_ONLY} when the data does not fit, naming the shortfall (nothing is
   *     kept then)
   */
  public MaterializedDataset materialize(StorageLevel level) {
    return MaterializedDataset.of(this, Objects.requireNonNull(level, "level"));
  }

  /**
   * Writes the dataset as Parquet files into {@code directory}, atomically (see {@link
   * ParquetSink}): SNAPPY-compressed, one file per execution unless {@code sink} says otherwise.
   */
  public WriteSummary writeParquet(String directory) {
    return writeParquetMono(directory).block();
  }

  /** {@link #writeParquet(String)} without blocking: completes once written and ended. */
  public Mono<WriteSummary> writeParquetMono(String directory) {
    return writeParquetMono(ParquetSink.to(path(directory)));
  }

  /** Writes the dataset through a configured Parquet sink (compression, rows per file). */
  public WriteSummary writeParquet(ParquetSink sink) {
    return writeParquetMono(sink).block();
  }

  /** {@link #writeParquet(ParquetSink)} without blocking: completes once written and ended. */
  public Mono<WriteSummary> writeParquetMono(ParquetSink sink) {
    Objects.requireNonNull(sink, "sink");
    if (plan instanceof Read r && r.source() instanceof Engine.Result result) {
      return result.writeParquet(sink); // written where the engine ran it, partition by partition
    }
    return write("WriteParquet", sink::write);
  }

  /**
   * Writes the dataset through {@code sink}, resuming from {@code checkpoint}: a job killed
   * midway and run again skips the rows it had committed and publishes the same rows an
   * uninterrupted run would have, each once (see {@link Checkpoint}); the checkpoint is deleted
   * once the files are published. Nothing is visible in the target before then.
   *
   * @throws dev.tributary.checkpoint.PlanChangedException if the checkpoint was made by another
   *     write (plan, sink, target or id column)
   * @throws dev.tributary.checkpoint.CheckpointException if the plan is not reads followed by
   *     one-row-per-row transforms, or has no such id column
   */
  public WriteSummary writeParquet(ParquetSink sink, Checkpoint checkpoint) {
    return writeParquetMono(sink, checkpoint).block();
  }

  /** {@link #writeParquet(ParquetSink, Checkpoint)} without blocking. */
  public Mono<WriteSummary> writeParquetMono(ParquetSink sink, Checkpoint checkpoint) {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(checkpoint, "checkpoint");
    // Opening reads the checkpoint's files: off the subscriber's (maybe non-blocking) thread.
    return Mono.fromCallable(() -> CheckpointedWrite.open(checkpoint, plan, "WriteParquet",
            sink.directory(), sink.toString(), dir -> sink.into(dir)::write))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(job -> job.onlyPublicationLeft() ? Mono.fromSupplier(job::publish)
            : write(job.plan().name(), job.plan().input(), job.plan().sink()));
  }

  /** Writes the dataset as Arrow IPC files into {@code directory}, atomically. */
  public WriteSummary writeArrow(String directory) {
    return writeArrowMono(directory).block();
  }

  /** {@link #writeArrow(String)} without blocking: completes once written and ended. */
  public Mono<WriteSummary> writeArrowMono(String directory) {
    return write("WriteArrow", ArrowIpcSink.to(path(directory))::write);
  }

  /** Writes the dataset as CSV files (with a header row) into {@code directory}, atomically. */
  public WriteSummary writeCsv(String directory) {
    return writeText(TextSink.csv(path(directory)));
  }

  /** {@link #writeCsv(String)} without blocking: completes once written and ended. */
  public Mono<WriteSummary> writeCsvMono(String directory) {
    return writeTextMono(TextSink.csv(path(directory)));
  }

  /** Writes the dataset as CSV files in the dialect of {@code options}, atomically. */
  public WriteSummary writeCsv(String directory, CsvOptions options) {
    return writeText(TextSink.csv(path(directory)).options(options));
  }

  /** Writes the dataset as JSON-lines files into {@code directory}, atomically. */
  public WriteSummary writeJson(String directory) {
    return writeText(TextSink.jsonLines(path(directory)));
  }

  /** {@link #writeJson(String)} without blocking: completes once written and ended. */
  public Mono<WriteSummary> writeJsonMono(String directory) {
    return writeTextMono(TextSink.jsonLines(path(directory)));
  }

  /** Writes the dataset through a configured CSV or JSON-lines sink. */
  public WriteSummary writeText(TextSink sink) {
    return writeTextMono(sink).block();
  }

  /** {@link #writeText(TextSink)} without blocking: completes once written and ended. */
  public Mono<WriteSummary> writeTextMono(TextSink sink) {
    Objects.requireNonNull(sink, "sink");
    return write("WriteText", sink::write);
  }

  /**
   * Writes the image tensor {@code column} (as {@link Tributary#readImages} makes it: height x
   * width x 1 or 3 channels, values 0-255) as one {@code format} file ({@code png} or {@code
   * jpeg}) per row into {@code directory}, named {@code image-<row>.<ext>}, atomically (see
   * {@link ImageSink}).
   *
   * @throws IllegalArgumentException for another format
   * @throws ColumnException if (when the columns are known without running) the column is missing
   *     or not an image tensor; otherwise the write fails with it, leaving nothing
   */
  public WriteSummary writeImages(String directory, String column, String format) {
    return writeImagesMono(directory, column, format).block();
  }

  /** {@link #writeImages(String, String, String)} without blocking. */
  public Mono<WriteSummary> writeImagesMono(String directory, String column, String format) {
    return writeImagesMono(ImageSink.to(path(directory), column, ImageSink.Format.of(format)));
  }

  /** Writes images through a configured sink (file names from a column). */
  public WriteSummary writeImages(ImageSink sink) {
    return writeImagesMono(sink).block();
  }

  /** {@link #writeImages(ImageSink)} without blocking: completes once written and ended. */
  public Mono<WriteSummary> writeImagesMono(ImageSink sink) {
    Objects.requireNonNull(sink, "sink");
    Schema known = plan.schema();
    if (known != null) {
      sink.check(known);
    }
    return write("WriteImages", sink::write);
  }

  /**
   * Runs the plan into {@code sink} as a {@link Write} node (its own stage and stats row, writing
   * on the execution's I/O scheduler) and gives what the sink reports, once the execution has
   * ended.
   */
  private Mono<WriteSummary> write(String name,
      BiFunction<Flux<Block>, Scheduler, Mono<WriteSummary>> sink) {
    return write(name, plan, sink);
  }

  private Mono<WriteSummary> write(String name, LogicalPlan input,
      BiFunction<Flux<Block>, Scheduler, Mono<WriteSummary>> sink) {
    return Mono.defer(() -> {
      AtomicReference<WriteSummary> written = new AtomicReference<>();
      return sharingStats(new Write(input, name,
          (blocks, io) -> sink.apply(blocks, io).doOnNext(written::set)))
          .executeToEnd((e, blocks) -> blocks.then())
          .then(Mono.fromSupplier(written::get));
    });
  }

  private static java.nio.file.Path path(String directory) {
    return java.nio.file.Path.of(Objects.requireNonNull(directory, "directory"));
  }

  private static void nonNegative(String argument, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(argument + " must be >= 0, was " + value);
    }
  }

  /** The stats of this dataset's last execution, or null if it never ran. */
  public ExecutionStats stats() {
    return lastStats.get();
  }

  /**
   * The plan three ways: the logical plan as built and as the optimizer rewrote it (output
   * first; each read shows what was pushed into it: columns, filter, limit), and the physical
   * plan that runs (source first, one line per stage, with the operators fused into it). Runs
   * nothing; may read file metadata (Parquet footers).
   */
  public String explain() {
    DataContext ctx = context();
    LogicalPlan optimized = Execution.optimized(plan, ctx);
    return "Logical plan:\n" + LogicalPlan.explain(plan)
        + "Optimized logical plan:" + (!ctx.optimizer() ? " none, the optimizer is off\n"
            : optimized.equals(plan) ? " as built, nothing to push\n"
            : "\n" + LogicalPlan.explain(optimized))
        + "Physical plan:\n"
        + PhysicalPlanner.plan(optimized, ctx.operatorFusion()).explain();
  }

  private static List<Map<String, Object>> rowsAndClose(Block block) {
    try (block) {
      return Rows.read(block);
    }
  }

  private static Map<String, Object> batchAndClose(Block block) {
    try (block) {
      return Batches.read(block);
    }
  }

  @Override
  public String toString() {
    return "Dataset[" + plan.describe() + "]";
  }
}
