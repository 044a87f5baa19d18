package dev.tributary.spark;

import dev.tributary.PartitionPlan;
import dev.tributary.PartitionPlan.Concat;
import dev.tributary.PartitionPlan.Exchange;
import dev.tributary.PartitionPlan.JoinOn;
import dev.tributary.PartitionPlan.LimitRows;
import dev.tributary.PartitionPlan.Local;
import dev.tributary.PartitionPlan.Node;
import dev.tributary.PartitionPlan.Pool;
import dev.tributary.PartitionPlan.Scan;
import dev.tributary.PartitionPlan.SortBy;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.error.TributaryException;
import dev.tributary.operators.aggregate.Aggregate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;

/**
 * One run of a {@link PartitionPlan} as Spark RDDs, on the driver. Per-partition stages are
 * fused into the task of the stage before them ({@link Segment}); a read's splits, packed as
 * Spark SQL packs files ({@link SplitPacking}), are the first tasks' partitions; an exchange, a shuffled join's two sides and a sort's ranges go through
 * Spark's shuffle as IPC bytes keyed by partition; a small join side is broadcast; a limit
 * gathers the partitions in order into one without a shuffle; a union concatenates partitions;
 * a worker pool's instances are kept per executor.
 */
final class SparkJob {
  /** Rows a sort samples per block for its bounds. */
  private static final int SAMPLES_PER_BLOCK = 64;

  private final SparkSession session;
  private final PartitionPlan plan;
  private final long taskMemoryLimit;
  private final int partitions;
  private final long broadcastBytes;
  private final Consumer<List<TaskMemory>> onJobEnd;
  private final SplitPacking packing;
  /** Steps every task of the last stage runs after the plan's (a partial aggregation). */
  private final List<TaskStep> last;

  SparkJob(SparkSession session, PartitionPlan plan, long taskMemoryLimit, int partitions,
      long broadcastBytes, Consumer<List<TaskMemory>> onJobEnd, SplitPacking packing) {
    this(session, plan, taskMemoryLimit, partitions, broadcastBytes, onJobEnd, packing,
        List.of());
  }

  private SparkJob(SparkSession session, PartitionPlan plan, long taskMemoryLimit,
      int partitions, long broadcastBytes, Consumer<List<TaskMemory>> onJobEnd,
      SplitPacking packing, List<TaskStep> last) {
    this.session = session;
    this.plan = plan;
    this.taskMemoryLimit = taskMemoryLimit;
    this.partitions = partitions;
    this.broadcastBytes = broadcastBytes;
    this.onJobEnd = onJobEnd;
    this.packing = packing;
    this.last = last;
  }

  /** The same job with {@code step} run last in every task of its last stage. */
  SparkJob then(TaskStep step) {
    List<TaskStep> more = new ArrayList<>(last);
    more.add(step);
    return new SparkJob(session, plan, taskMemoryLimit, partitions, broadcastBytes, onJobEnd,
        packing, List.copyOf(more));
  }

  /**
   * The result's blocks as IPC bytes, in partition order, as Spark computes them; closed by the
   * reader when it ends, also early (a cancel), to drop what the job held.
   */
  Results blocks() {
    Run run = new Run();
    try {
      Exchange combining = combinedWhereRead();
      Fragment result = combining == null ? run.compileLast()
          : run.compile(combining.input()).then(new TaskStep.AggregateEach(combining.keys(),
              ((Exchange) plan.root()).aggregates().stream().map(Aggregate::partial).toList()));
      return new Results(run, unwrapped(() -> inGroups(run.materialize(result,
          new BlockCut.Keep(), null, null).values(),
          session.sparkContext().defaultParallelism())), combining);
    } catch (RuntimeException e) {
      run.release();
      throw e;
    }
  }

  /**
   * The group-by the plan ends in, with its combiners, when the reader had best combine it: every
   * aggregation combines, nothing runs after it, and its input is a read of no more partitions
   * than Spark's default parallelism (one wave of tasks, whose output would come to the reader
   * in one group of partitions anyway). Each task's rows per group then come to the reader, not
   * through a shuffle and a stage of combining tasks; else null (a larger read is combined on
   * the executors, spread over the exchange's partitions).
   */
  private Exchange combinedWhereRead() {
    if (!last.isEmpty() || !(plan.root() instanceof Exchange x) || x.keys().isEmpty()
        || x.aggregates().isEmpty()) {
      return null;
    }
    List<Aggregate> combiners = x.aggregates().stream().map(a -> a.combiner().orElse(null))
        .toList();
    Node input = x.input();
    while (input instanceof Local l) {
      input = l.input();
    }
    if (combiners.contains(null) || !(input instanceof Scan scan) || packing.pack(scan.splits())
        .size() > session.sparkContext().defaultParallelism()) {
      return null;
    }
    return new Exchange(x.input(), x.name(), x.keys(), x.partitions(), combiners);
  }

  /**
   * The elements of {@code rdd} in partition order, {@code perJob} partitions at a time: one Spark
   * job computes a group's partitions in parallel ({@code toLocalIterator} runs a job per
   * partition, one after another), and the driver holds at most one group's results.
   */
  private static Iterator<Object> inGroups(JavaRDD<Object> rdd, int perJob) {
    int partitions = rdd.getNumPartitions();
    int group = Math.max(1, perJob);
    return new Iterator<>() {
      private int nextPartition;
      private Iterator<Object> current = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && nextPartition < partitions) {
          int to = Math.min(partitions, nextPartition + group);
          int[] ids = IntStream.range(nextPartition, to).toArray();
          List<Object>[] parts = rdd.collectPartitions(ids);
          nextPartition = to;
          current = Arrays.stream(parts).flatMap(List::stream).iterator();
        }
        return current.hasNext();
      }

      @Override
      public Object next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  /** A job's result as it is read: ends the job's run once, read to the end or closed. */
  final class Results implements Iterator<Object>, AutoCloseable {
    private final Run run;
    private final Iterator<Object> blocks;
    private final Exchange combining;
    private boolean ended;

    private Results(Run run, Iterator<Object> blocks, Exchange combining) {
      this.run = run;
      this.blocks = blocks;
      this.combining = combining;
    }

    /**
     * The group-by whose combiners the reader runs on these blocks (each task's rows per group),
     * or null: the blocks are the result.
     */
    Exchange combining() {
      return combining;
    }

    @Override
    public boolean hasNext() {
      boolean more;
      try {
        more = unwrapped(blocks::hasNext);
      } catch (RuntimeException e) {
        end(false);
        throw e;
      }
      if (!more) {
        end(true);
      }
      return more;
    }

    @Override
    public Object next() {
      return unwrapped(blocks::next);
    }

    /** Drops what the job held, if reading did not end it. */
    @Override
    public void close() {
      end(false);
    }

    private synchronized void end(boolean well) {
      if (!ended) {
        ended = true;
        run.release();
        if (well) {
          onJobEnd.accept(List.copyOf(run.memory.value()));
        }
      }
    }
  }

  /**
   * Writes the result through {@code sink}: every task stages its files under a job directory
   * beside the target; once all succeeded, the driver moves them in ({@link JobCommit}).
   */
  WriteSummary write(ParquetSink sink) {
    Path target = sink.directory().toAbsolutePath();
    Path job = target.resolveSibling("." + target.getFileName() + ".tributary-job-"
        + UUID.randomUUID());
    Run run = new Run();
    List<Object> staged;
    try {
      staged = unwrapped(() -> run.materialize(run.compileLast(), null, sink, job)
          .values().collect());
    } catch (RuntimeException e) {
      JobCommit.discard(job);
      throw e;
    } finally {
      run.release();
    }
    onJobEnd.accept(List.copyOf(run.memory.value()));
    return JobCommit.commit(job, target, staged.stream()
        .map(s -> (Segment.StagedWrite) s).toList());
  }

  /**
   * What {@code call} answers; a job that failed on a Tributary error (a user function's, a
   * corrupt file's) fails with that error, Spark's report of the job suppressed on it.
   */
  private static <T> T unwrapped(Supplier<T> call) {
    try {
      return call.get();
    } catch (Exception e) { // SparkException is checked, but Scala code throws it undeclared
      for (Throwable cause = e.getCause(); e instanceof SparkException && cause != null;
          cause = cause.getCause()) {
        if (cause instanceof TributaryException t) {
          t.addSuppressed(e);
          throw t;
        }
      }
      throw e;
    }
  }

  /**
   * Where a task's blocks come from, and the per-partition steps it runs on them: a scan's
   * splits, or gathered blocks (of one RDD, or of two for a join) and the stage that gathered
   * them.
   */
  private record Fragment(Scan scan, JavaRDD<Object> gathered, JavaRDD<Object> right,
      Node gatheredBy, List<TaskStep> steps) {
    static Fragment of(Scan scan) {
      return new Fragment(scan, null, null, null, List.of());
    }

    static Fragment of(JavaRDD<Object> gathered, Node by) {
      return new Fragment(null, gathered, null, by, List.of());
    }

    Fragment then(TaskStep step) {
      List<TaskStep> more = new ArrayList<>(steps);
      more.add(step);
      return new Fragment(scan, gathered, right, gatheredBy, more);
    }
  }

  /** One job's RDDs, and what it holds until it ends (cached inputs, broadcasts). */
  private final class Run {
    final JavaSparkContext spark = JavaSparkContext.fromSparkContext(session.sparkContext());
    final CollectionAccumulator<TaskMemory> memory =
        session.sparkContext().collectionAccumulator("tributary task memory");
    private final List<Runnable> held = new ArrayList<>();

    /** The plan's root, then the job's last steps. */
    Fragment compileLast() {
      Fragment root = compile(plan.root());
      for (TaskStep step : last) {
        root = root.then(step);
      }
      return root;
    }

    Fragment compile(Node node) {
      if (node instanceof Scan s) {
        return Fragment.of(s);
      } else if (node instanceof Pool p) {
        return compile(p.input()).then(TaskStep.Pooled.of(p));
      } else if (node instanceof Local l) {
        return compile(l.input()).then(new TaskStep.OnEach(l));
      } else if (node instanceof Exchange x) {
        int n = x.partitions(partitions);
        BlockCut cut = x.keys().isEmpty() ? new BlockCut.Deal(n) : new BlockCut.ByHash(x.keys(),
            n);
        Fragment input = compile(x.input());
        Exchange gathering = x;
        List<Aggregate> combiners = x.aggregates().stream()
            .map(a -> a.combiner().orElse(null)).toList();
        if (!combiners.isEmpty() && !combiners.contains(null)) {
          // Each task aggregates its own rows first; only a row per group and task crosses.
          input = input.then(new TaskStep.AggregateEach(x.keys(), x.aggregates().stream()
              .map(Aggregate::partial).toList()));
          gathering = new Exchange(x.input(), x.name(), x.keys(), x.partitions(), combiners);
        }
        return Fragment.of(shuffle(input, cut, n), gathering);
      } else if (node instanceof JoinOn j) {
        return join(j);
      } else if (node instanceof SortBy s) {
        return sort(s);
      } else if (node instanceof LimitRows l) {
        // Coalesced without a shuffle: one task reads the partitions in order, each only as far
        // as the limit still needs.
        JavaRDD<Object> first = materialize(compile(l.input()).then(new TaskStep.LimitEach(l)),
            new BlockCut.Keep(), null, null).values().coalesce(1, false);
        return Fragment.of(first, l);
      }
      Concat c = (Concat) node;
      List<JavaRDD<Object>> inputs = c.inputs().stream().map(i -> materialize(compile(i),
          new BlockCut.Keep(), null, null).values()).toList();
      return Fragment.of(spark.union(inputs.toArray(JavaRDD[]::new)), c);
    }

    private Fragment join(JoinOn j) {
      if (j.broadcastable() && bytes(j.right()) <= broadcastBytes) {
        List<byte[]> right = materialize(compile(j.right()), new BlockCut.Keep(), null, null)
            .values().map(b -> (byte[]) b).collect();
        var broadcast = spark.broadcast(right);
        held.add(() -> broadcast.destroy());
        return compile(j.left()).then(new TaskStep.BroadcastJoin(j, broadcast));
      }
      int n = partitions;
      JavaRDD<Object> left = shuffle(compile(j.left()), new BlockCut.ByHash(j.keys(), n), n);
      JavaRDD<Object> right = shuffle(compile(j.right()), new BlockCut.ByHash(j.keys(), n), n);
      return new Fragment(null, left, right, j, List.of());
    }

    /**
     * The input computed once and kept (memory, then disk) while a sample of its keys gives the
     * bounds, then cut by range.
     */
    private Fragment sort(SortBy s) {
      JavaRDD<Object> input = materialize(compile(s.input()), new BlockCut.Keep(), null, null)
          .values().persist(StorageLevel.MEMORY_AND_DISK());
      held.add(() -> input.unpersist(false));
      BlockCut.KeyOrder order = new BlockCut.KeyOrder(s.keys());
      List<Object[]> sampled = new ArrayList<>();
      materialize(Fragment.of(input, null), new BlockCut.Sample(order, SAMPLES_PER_BLOCK), null,
          null).values().collect().forEach(rows -> sampled.addAll(List.of((Object[][]) rows)));
      sampled.sort(order::compare);
      int n = partitions;
      List<Object[]> bounds = new ArrayList<>();
      for (int p = 1; p < n && !sampled.isEmpty(); p++) {
        Object[] bound = sampled.get((int) ((long) p * sampled.size() / n));
        if (bounds.isEmpty() || order.compare(bounds.get(bounds.size() - 1), bound) < 0) {
          bounds.add(bound);
        }
      }
      BlockCut cut = new BlockCut.ByRange(order, bounds);
      return Fragment.of(shuffle(Fragment.of(input, null), cut, bounds.size() + 1), s);
    }

    /** The input's file bytes when it is reads and per-partition stages only, else unbounded. */
    private long bytes(Node node) {
      if (node instanceof Scan s) {
        return s.bytes();
      } else if (node instanceof Local l) {
        return bytes(l.input());
      }
      return Long.MAX_VALUE;
    }

    private JavaRDD<Object> shuffle(Fragment f, BlockCut cut, int n) {
      return materialize(f, cut, null, null).partitionBy(new HashPartitioner(n)).values();
    }

    /** The fragment's tasks: blocks cut by {@code cut}, or written through {@code sink}. */
    JavaPairRDD<Integer, Object> materialize(Fragment f, BlockCut cut, ParquetSink sink,
        Path job) {
      Segment segment = new Segment(plan.settings(), f.scan(), f.gatheredBy(), f.steps(), cut,
          sink, job, taskMemoryLimit, memory);
      if (f.scan() != null) {
        List<int[]> packed = packing.pack(f.scan().splits());
        return spark.parallelize(packed, packed.size()).mapPartitionsToPair(segment::fromSplits);
      } else if (f.right() != null) {
        return JavaPairRDD.fromJavaRDD(f.gathered().zipPartitions(f.right(),
            segment::fromJoined));
      }
      return f.gathered().mapPartitionsToPair(segment::fromGathered);
    }

    /** Drops what the job held (cached inputs, broadcasts). */
    void release() {
      held.forEach(Runnable::run);
      held.clear();
    }
  }
}
