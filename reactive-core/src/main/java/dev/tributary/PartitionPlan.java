package dev.tributary;

import dev.tributary.connectors.ParquetSource;
import dev.tributary.exec.PhysicalPlan;
import dev.tributary.exec.PhysicalPlanner;
import dev.tributary.exec.PhysicalPlan.AggregateStage;
import dev.tributary.exec.PhysicalPlan.ExchangeStage;
import dev.tributary.exec.PhysicalPlan.FlatMapStage;
import dev.tributary.exec.PhysicalPlan.JoinStage;
import dev.tributary.exec.PhysicalPlan.LimitStage;
import dev.tributary.exec.PhysicalPlan.MapStage;
import dev.tributary.exec.PhysicalPlan.OutputStage;
import dev.tributary.exec.PhysicalPlan.PoolStage;
import dev.tributary.exec.PhysicalPlan.ReadStage;
import dev.tributary.exec.PhysicalPlan.UnionStage;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.operators.exchange.SortKey;
import dev.tributary.operators.exchange.SpillSettings;
import dev.tributary.operators.join.JoinType;
import dev.tributary.plan.FlatMap;
import dev.tributary.plan.GroupAggregate;
import dev.tributary.plan.Join;
import dev.tributary.plan.Limit;
import dev.tributary.plan.MapRows;
import dev.tributary.plan.PooledMapBatches;
import dev.tributary.plan.Pushdown;
import dev.tributary.plan.Read;
import dev.tributary.plan.Repartition;
import dev.tributary.plan.Sort;
import dev.tributary.plan.Source;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.parquet.filter2.predicate.FilterPredicate;

/**
 * A dataset's physical plan as a distributed engine runs it: a tree of {@link Node}s whose leaves
 * are Parquet reads cut into splits ({@link Scan}: files, large files by row-group ranges), with
 * per-partition stages ({@link Local}: fused maps, flat maps, worker pools) run on each
 * partition as a governed Tributary pipeline on a worker, and all-to-all stages between them
 * ({@link Exchange} by key hash for a group-by aggregation or a repartition, {@link JoinOn} of
 * two inputs partitioned alike, {@link SortBy} by key ranges, {@link LimitRows} gathered in
 * order, {@link Concat} of inputs). Serializable, to travel inside the job.
 *
 * <p>Cut from the same physical plan the local engine runs and {@code explain()} shows, so the
 * fused stages are the same; what it cannot cut (zips, group functions, random shuffles, GPU
 * stages, sources other than Parquet) is refused when it is built, naming the stage.
 */
public final class PartitionPlan implements Serializable {
  private static final long serialVersionUID = 2L;

  private final Node root;
  private final Settings settings;

  private PartitionPlan(Node root, Settings settings) {
    this.root = root;
    this.settings = settings;
  }

  /**
   * The plan of {@code dataset} as {@code engine} (its name, for errors) runs it: optimized and
   * fused as the local engine would, under the dataset's context; each Parquet file larger than
   * {@code splitBytes} read as several splits of whole row groups of about that size.
   *
   * @throws UnsupportedPlanException naming the first stage the engine cannot run
   */
  public static PartitionPlan of(Dataset dataset, String engine, long splitBytes) {
    // Each split is aggregated by the engine's own partial and combined aggregations.
    PhysicalPlan root = PhysicalPlanner.plan(Execution.optimized(dataset.plan,
        dataset.context()), dataset.context().operatorFusion(), false);
    OutputStage output = (OutputStage) root;
    if (output.sink() != null) {
      throw new UnsupportedPlanException(engine, output.name(),
          "write the dataset that execute(engine) answers instead");
    }
    return new PartitionPlan(node(output.input(), engine, splitBytes),
        Settings.of(dataset.context()));
  }

  private static Node node(PhysicalPlan stage, String engine, long splitBytes) {
    if (stage instanceof MapStage m && m.gpu() == null) {
      return new Pipeline(node(m.input(), engine, splitBytes), m.name(), m.transform(),
          m.rebatchRows());
    } else if (stage instanceof FlatMapStage f) {
      return new FlatMapRows(node(f.input(), engine, splitBytes), f.name(), f.node().fn());
    } else if (stage instanceof PoolStage p) {
      PooledMapBatches n = p.node();
      return new Pool(node(p.input(), engine, splitBytes), n.name(), n.factory(), n.batchSize(),
          n.minWorkers(), n.maxWorkers());
    } else if (stage instanceof AggregateStage a) {
      return new Exchange(node(a.input(), engine, splitBytes), a.name(), a.node().keys(), 0,
          a.node().aggregates());
    } else if (stage instanceof ExchangeStage x && x.node() instanceof Repartition r) {
      return new Exchange(node(x.input(), engine, splitBytes), x.name(), r.keys(), r.blocks(),
          List.of());
    } else if (stage instanceof ExchangeStage x && x.node() instanceof Sort s) {
      return new SortBy(node(x.input(), engine, splitBytes), x.name(), s.keys());
    } else if (stage instanceof JoinStage j) {
      return new JoinOn(node(j.left(), engine, splitBytes), node(j.right(), engine, splitBytes),
          j.name(), j.node().keys(), j.node().type());
    } else if (stage instanceof LimitStage l) {
      return new LimitRows(node(l.input(), engine, splitBytes), l.rows());
    } else if (stage instanceof UnionStage u) {
      return new Concat(u.inputs().stream().map(i -> node(i, engine, splitBytes)).toList());
    } else if (stage instanceof ReadStage r) {
      return scan(r.read(), engine, splitBytes);
    }
    throw new UnsupportedPlanException(engine, stage.name(), "not a fused map, flat map, "
        + "worker pool, group-by aggregation, repartition, join, sort, limit or union; run it "
        + "locally on the result instead");
  }

  private static Scan scan(Read read, String engine, long splitBytes) {
    if (!(read.source() instanceof ParquetRead parquet)) {
      throw new UnsupportedPlanException(engine, read.source().name(),
          "only Parquet reads (readParquet) are split into partitions");
    }
    ParquetSource source = parquet.source();
    List<Split> splits = new ArrayList<>();
    long bytes = 0;
    try {
      for (int f = 0; f < source.files().size(); f++) {
        long size = Files.size(source.files().get(f));
        bytes += size;
        if (size <= splitBytes) {
          splits.add(new Split(f, 0, Integer.MAX_VALUE, size));
          continue;
        }
        // Whole row groups, a split closed once it holds about splitBytes.
        long[] groups = source.rowGroupBytes(f);
        int from = 0;
        long held = 0;
        for (int g = 0; g < groups.length; g++) {
          held += groups[g];
          if (held >= splitBytes || g == groups.length - 1) {
            splits.add(new Split(f, from, g + 1, held));
            from = g + 1;
            held = 0;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Pushdown pushdown = read.pushdown();
    // A split of all the files: their schemas unified once here, from every footer, and carried
    // to each split (a split alone would read its own file's types and columns).
    return new Scan(source.split(0, source.files().size()), splits, bytes, pushdown.columns(),
        pushdown.filter(), pushdown.limit());
  }

  /** The last node: what the plan answers. */
  public Node root() {
    return root;
  }

  /**
   * The context the dataset was planned with, as workers run it: system properties and {@link
   * DataContext#current()} do not reach them, so it travels inside the job.
   */
  public Settings settings() {
    return settings;
  }

  /** Every node, the root first, each input before its own inputs' siblings (depth first). */
  public List<Node> nodes() {
    List<Node> all = new ArrayList<>();
    collect(root, all);
    return all;
  }

  private static void collect(Node node, List<Node> into) {
    into.add(node);
    node.inputs().forEach(i -> collect(i, into));
  }

  /**
   * The global aggregation of {@code input} by {@code aggregates}: one row (a partition's own
   * part of the result, when {@code input} is one partition's rows).
   */
  public static Dataset aggregated(Dataset input, List<Aggregate> aggregates) {
    return input.aggregated(List.of(), aggregates);
  }

  /**
   * A dataset over blocks an exchange delivered: {@code source} reads them (its schema and row
   * count may be unknown).
   */
  public static Dataset read(Source source) {
    return new Dataset(new Read(Objects.requireNonNull(source, "source")), null);
  }

  @Override
  public String toString() {
    return root.toString();
  }

  /**
   * A {@link DataContext}'s settings as they travel to workers: all but the spill directory and
   * the CPU limit, which are the worker's own.
   *
   * @param targetMaxBlockSize see {@link DataContext#targetMaxBlockSize()}
   * @param targetMinBlockSize see {@link DataContext#targetMinBlockSize()}
   * @param memoryLimit see {@link DataContext#memoryLimit()} (a worker's runtime may be smaller)
   * @param preserveOrder see {@link DataContext#preserveOrder()}
   * @param operatorFusion see {@link DataContext#operatorFusion()}
   * @param governed see {@link DataContext#governed()}
   * @param retried the I/O errors retried ({@link DataContext#ioRetry()})
   * @param maxAttempts attempts in all of a retried read
   * @param firstBackoff the wait before the second attempt
   * @param maxBackoff the longest wait between attempts
   * @param maxErroredBlocks see {@link DataContext#maxErroredBlocks()}
   * @param optimizer see {@link DataContext#optimizer()}
   * @param vectorizedParquet see {@link DataContext#vectorizedParquet()}
   * @param spillCapacity the most bytes one exchange may spill
   */
  public record Settings(long targetMaxBlockSize, long targetMinBlockSize, long memoryLimit,
      boolean preserveOrder, boolean operatorFusion, boolean governed,
      List<Class<? extends Throwable>> retried, int maxAttempts, Duration firstBackoff,
      Duration maxBackoff, int maxErroredBlocks, boolean optimizer, boolean vectorizedParquet,
      long spillCapacity) implements Serializable {
    /** Copies the list. */
    public Settings {
      retried = List.copyOf(retried);
    }

    /** {@code context}'s settings. */
    static Settings of(DataContext context) {
      return new Settings(context.targetMaxBlockSize(), context.targetMinBlockSize(),
          context.memoryLimit(), context.preserveOrder(), context.operatorFusion(),
          context.governed(), context.ioRetry().retried(), context.ioRetry().maxAttempts(),
          context.ioRetry().firstBackoff(), context.ioRetry().maxBackoff(),
          context.maxErroredBlocks(), context.optimizer(), context.vectorizedParquet(),
          context.spill().capacityBytes());
    }

    /** The context these settings make here, with this process's spill directory and CPUs. */
    @SuppressWarnings("unchecked")
    public DataContext context() {
      DataContext here = DataContext.defaults();
      return here.toBuilder().targetMaxBlockSize(targetMaxBlockSize)
          .targetMinBlockSize(targetMinBlockSize).memoryLimit(memoryLimit)
          .preserveOrder(preserveOrder).operatorFusion(operatorFusion).governed(governed)
          .retriedIoErrors(retried.toArray(Class[]::new))
          .ioRetryBackoff(maxAttempts, firstBackoff, maxBackoff)
          .maxErroredBlocks(maxErroredBlocks).optimizer(optimizer)
          .vectorizedParquet(vectorizedParquet)
          .spill(new SpillSettings(here.spill().directory(), spillCapacity)).build();
    }
  }

  /** A stage of the plan: a read, a stage on each partition, or one between partitions. */
  public sealed interface Node extends Serializable
      permits Scan, Local, Exchange, JoinOn, SortBy, LimitRows, Concat {
    /** The stage's name in plans and stats (and in errors about it). */
    String name();

    /** What it reads, in order. */
    List<Node> inputs();
  }

  /** A stage run on each partition as it streams: no data crosses partitions. */
  public sealed interface Local extends Node permits Pipeline, FlatMapRows, Pool {
    /** What it reads. */
    Node input();

    @Override
    default List<Node> inputs() {
      return List.of(input());
    }

    /** {@code input} with this stage after it. */
    Dataset apply(Dataset input);
  }

  /**
   * A Parquet read cut into splits, with what the optimizer pushed into it.
   *
   * @param source the source as the user configured it (its options kept in every split), its
   *     files' schema unified from all their footers (see {@link ParquetSource#split})
   * @param splits the splits: whole files, large files as row-group ranges
   * @param bytes the files' size together
   * @param columns the columns read, or null for all
   * @param filter the filter pushed into the read, or null
   * @param limit the rows each split reads at most (a limit above it stays), or -1
   */
  public record Scan(ParquetSource source, List<Split> splits, long bytes, List<String> columns,
      FilterPredicate filter, long limit) implements Node {
    /** Copies the lists. */
    public Scan {
      Objects.requireNonNull(source, "source");
      splits = List.copyOf(splits);
      columns = columns == null ? null : new ArrayList<>(columns);
    }

    @Override
    public String name() {
      return "ReadParquet[" + splits.size() + " splits]";
    }

    @Override
    public List<Node> inputs() {
      return List.of();
    }

    /**
     * The read of splits {@code splits} (indexes into {@link #splits()}), one after the other:
     * consecutive whole files as one read of those files.
     */
    public Dataset read(int... splits) {
      Dataset read = null;
      for (int i = 0; i < splits.length; i++) {
        Split s = this.splits.get(splits[i]);
        int to = i;
        while (s.fromGroup() == 0 && s.toGroup() == Integer.MAX_VALUE && to + 1 < splits.length
            && wholeFile(this.splits.get(splits[to + 1]), s.file() + to + 1 - i)) {
          to++;
        }
        Dataset part = to > i ? files(s.file(), s.file() + to - i + 1) : read(splits[i]);
        read = read == null ? part : read.union(part);
        i = to;
      }
      if (read == null) {
        throw new IllegalArgumentException("no splits to read");
      }
      return read;
    }

    private static boolean wholeFile(Split s, int file) {
      return s.file() == file && s.fromGroup() == 0 && s.toGroup() == Integer.MAX_VALUE;
    }

    /** Files {@code from} (inclusive) to {@code to} (exclusive) read whole, as one read. */
    private Dataset files(int from, int to) {
      return new Dataset(new Read(new ParquetRead(source.split(from, to)), new Pushdown(columns,
          filter, limit)), null);
    }

    /** Split {@code split}'s read (an index into {@link #splits()}). */
    public Dataset read(int split) {
      Split s = splits.get(split);
      ParquetSource part = source.split(s.file(), s.file() + 1);
      if (s.fromGroup() > 0 || s.toGroup() < Integer.MAX_VALUE) {
        part = part.rowGroups(s.fromGroup(), s.toGroup());
      }
      return new Dataset(new Read(new ParquetRead(part), new Pushdown(columns, filter, limit)),
          null);
    }
  }

  /**
   * One split of a {@link Scan}: row groups {@code fromGroup} (inclusive) to {@code toGroup}
   * (exclusive) of one file ({@link Integer#MAX_VALUE}: to its end).
   *
   * @param file the file's index in the source's files
   * @param fromGroup the first row group
   * @param toGroup past the last row group
   * @param bytes what it reads: the file's size, or its row groups' bytes
   */
  public record Split(int file, int fromGroup, int toGroup, long bytes) implements Serializable {}

  /**
   * One fused stage of one-to-one operators.
   *
   * @param input what it reads
   * @param name the stage's name (its operators, as {@code explain()} shows them)
   * @param transform the fused transform
   * @param rebatchRows rows per input block (a re-cut before the transform), or 0
   */
  public record Pipeline(Node input, String name, BlockTransform transform, int rebatchRows)
      implements Local {
    /** Checks the arguments. */
    public Pipeline {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(transform, "transform");
    }

    @Override
    public Dataset apply(Dataset input) {
      Dataset cut = rebatchRows > 0 ? input.rebatch(rebatchRows) : input;
      return cut.derive(new MapRows(cut.plan, name, transform, null));
    }
  }

  /**
   * A row flat map.
   *
   * @param input what it reads
   * @param name the stage's name
   * @param fn the row function
   */
  public record FlatMapRows(Node input, String name,
      Function<Map<String, Object>, ? extends Iterable<Map<String, Object>>> fn)
      implements Local {
    /** Checks the arguments. */
    public FlatMapRows {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(fn, "fn");
    }

    @Override
    public Dataset apply(Dataset input) {
      return input.derive(new FlatMap(input.plan, fn));
    }
  }

  /**
   * A stateful batch function on a pool of workers, each with its own instance.
   *
   * @param input what it reads
   * @param name the stage's name
   * @param factory makes one instance per worker (an {@link AutoCloseable} one is closed)
   * @param batchSize rows per call, re-batched across blocks; 0 for whole blocks
   * @param minWorkers workers the pool keeps once started
   * @param maxWorkers workers the pool grows to
   */
  public record Pool(Node input, String name, Supplier<? extends BlockTransform> factory,
      int batchSize, int minWorkers, int maxWorkers) implements Local {
    /** Checks the arguments. */
    public Pool {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(factory, "factory");
    }

    @Override
    public Dataset apply(Dataset input) {
      return input.derive(new PooledMapBatches(input.plan, name, factory, batchSize, minWorkers,
          maxWorkers));
    }

    /** The same stage with its instances from {@code instances} (a worker's own supply). */
    public Pool withFactory(Supplier<? extends BlockTransform> instances) {
      return new Pool(input, name, instances, batchSize, minWorkers, maxWorkers);
    }
  }

  /**
   * An all-to-all stage: blocks cut by the hash of their keys into partitions, each partition
   * gathered on one worker, then aggregated per group (a group-by aggregation) or passed on (a
   * repartition).
   *
   * @param input what it reads
   * @param name the stage's name
   * @param keys the key columns (none: one partition for an aggregation, blocks dealt round
   *     robin for a repartition)
   * @param partitions the partitions a repartition asked for, or 0 for the engine's choice
   * @param aggregates the aggregations, or none for a repartition
   */
  public record Exchange(Node input, String name, List<String> keys, int partitions,
      List<Aggregate> aggregates) implements Node {
    /** Copies the lists. */
    public Exchange {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(name, "name");
      keys = new ArrayList<>(keys);
      aggregates = new ArrayList<>(aggregates);
    }

    @Override
    public List<Node> inputs() {
      return List.of(input);
    }

    /** The partitions of this exchange when the engine would choose {@code fallback}. */
    public int partitions(int fallback) {
      if (!aggregates.isEmpty() && keys.isEmpty()) {
        return 1;
      }
      return partitions > 0 ? partitions : fallback;
    }

    /** What runs on one partition's gathered blocks: the aggregation, or nothing. */
    public Dataset after(Dataset gathered) {
      return aggregates.isEmpty() ? gathered
          : gathered.derive(new GroupAggregate(gathered.plan, keys, aggregates));
    }
  }

  /**
   * A hash join of two inputs on equal keys: both partitioned alike by the keys' hash (or the
   * right one, when small, sent whole to every partition of the left), then joined per partition.
   *
   * @param left the left (probe) input
   * @param right the right (build) input
   * @param name the stage's name
   * @param keys the key columns
   * @param type which rows the join keeps
   */
  public record JoinOn(Node left, Node right, String name, List<String> keys, JoinType type)
      implements Node {
    /** Copies the keys. */
    public JoinOn {
      Objects.requireNonNull(left, "left");
      Objects.requireNonNull(right, "right");
      keys = new ArrayList<>(keys);
      Objects.requireNonNull(type, "type");
    }

    @Override
    public List<Node> inputs() {
      return List.of(left, right);
    }

    /**
     * Whether every left row needs only the right rows of its own key, wherever they are, so the
     * right input may be sent whole to each partition of the left (not right or full outer).
     */
    public boolean broadcastable() {
      return type != JoinType.RIGHT_OUTER && type != JoinType.FULL_OUTER;
    }

    /** The join of one partition's left rows with {@code right}. */
    public Dataset after(Dataset left, Dataset right) {
      return left.derive(new Join(left.plan, right.plan, keys, type));
    }
  }

  /**
   * A sort: rows cut into ranges of the keys (bounds sampled from the input), each range sorted
   * on one worker, the ranges in order.
   *
   * @param input what it reads
   * @param name the stage's name
   * @param keys the sort keys, most significant first
   */
  public record SortBy(Node input, String name, List<SortKey> keys) implements Node {
    /** Copies the keys. */
    public SortBy {
      Objects.requireNonNull(input, "input");
      keys = new ArrayList<>(keys);
    }

    @Override
    public List<Node> inputs() {
      return List.of(input);
    }

    /** One range's rows, sorted. */
    public Dataset after(Dataset gathered) {
      return gathered.derive(new Sort(gathered.plan, keys));
    }
  }

  /**
   * The first rows: each partition's first {@code rows}, then the partitions' in their order on
   * one worker, limited again.
   *
   * @param input what it reads
   * @param rows the most rows
   */
  public record LimitRows(Node input, long rows) implements Node {
    /** Checks the input. */
    public LimitRows {
      Objects.requireNonNull(input, "input");
    }

    @Override
    public String name() {
      return "Limit[" + rows + "]";
    }

    @Override
    public List<Node> inputs() {
      return List.of(input);
    }

    /** {@code input}'s first rows. */
    public Dataset after(Dataset input) {
      return input.derive(new Limit(input.plan, rows));
    }
  }

  /**
   * The inputs' partitions one input after the other (no data moves).
   *
   * @param inputs the inputs
   */
  public record Concat(List<Node> inputs) implements Node {
    /** Copies the inputs. */
    public Concat {
      inputs = List.copyOf(inputs);
    }

    @Override
    public String name() {
      return "Union";
    }
  }
}
