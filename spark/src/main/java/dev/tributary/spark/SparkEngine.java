package dev.tributary.spark;

import dev.tributary.Dataset;
import dev.tributary.Engine;
import dev.tributary.PartitionPlan;
import dev.tributary.PartitionPlan.Local;
import dev.tributary.PartitionPlan.Node;
import dev.tributary.PartitionPlan.Pool;
import dev.tributary.PartitionPlan.Scan;
import dev.tributary.UnsupportedPlanException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Runs a {@link Dataset} on Apache Spark: {@code ds.execute(SparkEngine.of(session))}. The plan
 * is cut as {@link PartitionPlan} says — each Parquet read into partitions of splits (a file, a
 * large file's range of row groups, {@link #splitBytes}) packed as Spark SQL packs files, small
 * files together until a partition holds about its share of the bytes for the cluster's cores
 * ({@code spark.sql.files.openCostInBytes}, {@code spark.sql.files.minPartitionNum}), the fused per-partition stages run in each
 * task as a governed Tributary pipeline (its own runtime and arena, limited to {@link
 * #taskMemoryLimit}), group-by aggregations (each task's rows aggregated first when they
 * combine), repartitions, joins and sorts as Spark shuffles of Arrow IPC blocks (a join whose
 * right input is small broadcast instead, a sort cut into key ranges from sampled bounds), limits
 * and unions without a shuffle — and checked on the driver before anything runs: a stage Spark
 * cannot run fails with {@link dev.tributary.UnsupportedPlanException}, a stage holding a
 * function that is not serializable
 * with {@link NotSerializableFunctionException}.
 *
 * <p>The dataset answered reads the job's result into this process each time it runs, in the
 * partitions' order (a sort's rows in order); its {@code writeParquet} writes from the executors
 * instead, every task's files staged and moved into the target by the driver once all tasks
 * succeeded. {@link #toSpark} and {@link #fromSpark} turn datasets into Spark DataFrames and
 * back.
 */
public final class SparkEngine implements Engine {
  private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)(?:,\\d+)?\\]");

  private final SparkSession session;
  private final long taskMemoryLimit;
  private final int partitions;
  private final long broadcastBytes;
  private final long splitBytes;
  private final Consumer<List<TaskMemory>> onJobEnd;
  /** Where {@link #toSpark} writes a result with an all-to-all stage, or null: refused. */
  private final String staging;

  private SparkEngine(SparkSession session, long taskMemoryLimit, int partitions,
      long broadcastBytes, long splitBytes, Consumer<List<TaskMemory>> onJobEnd,
      String staging) {
    this.session = session;
    this.taskMemoryLimit = taskMemoryLimit;
    this.partitions = partitions;
    this.broadcastBytes = broadcastBytes;
    this.splitBytes = splitBytes;
    this.onJobEnd = onJobEnd;
    this.staging = staging;
  }

  /**
   * An engine running on {@code session}'s cluster, with the memory limit of each task taken from
   * Spark's settings ({@link #taskMemoryLimit(SparkConf)}), Spark's default parallelism as the
   * partitions of an exchange, Spark SQL's broadcast threshold for joins ({@code
   * spark.sql.autoBroadcastJoinThreshold}) and its split size for files ({@code
   * spark.sql.files.maxPartitionBytes}, default 128 MiB).
   */
  public static SparkEngine of(SparkSession session) {
    Objects.requireNonNull(session, "session");
    return new SparkEngine(session, taskMemoryLimit(session.sparkContext().getConf()), 0,
        JavaUtils.byteStringAsBytes(session.conf().get("spark.sql.autoBroadcastJoinThreshold",
            "10MB")), JavaUtils.byteStringAsBytes(session.conf().get(
            "spark.sql.files.maxPartitionBytes", "128MB")), tasks -> { }, null);
  }

  /**
   * Reads each Parquet file larger than {@code bytes} as several splits of whole row groups of
   * about that size together (a file of one row group stays one split), and packs splits into a
   * partition up to that size at most.
   */
  public SparkEngine splitBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("splitBytes must be >= 1, was " + bytes);
    }
    return new SparkEngine(session, taskMemoryLimit, partitions, broadcastBytes, bytes,
        onJobEnd, staging);
  }

  /**
   * A task's share of its executor's memory: Spark's off-heap memory when it is enabled ({@code
   * spark.memory.offHeap.enabled}, {@code spark.memory.offHeap.size}), else the executor's
   * memory ({@code spark.executor.memory}, default 1g), divided by the tasks an executor runs at
   * once ({@code spark.executor.cores}, or the threads of a {@code local[n]} master, over {@code
   * spark.task.cpus}).
   */
  public static long taskMemoryLimit(SparkConf conf) {
    int threads = 1;
    Matcher local = LOCAL.matcher(conf.get("spark.master", ""));
    if (local.matches()) {
      threads = local.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
          : Integer.parseInt(local.group(1));
    }
    int tasks = Math.max(1, conf.getInt("spark.executor.cores", threads)
        / Math.max(1, conf.getInt("spark.task.cpus", 1)));
    long offHeap = conf.getBoolean("spark.memory.offHeap.enabled", false)
        ? conf.getSizeAsBytes("spark.memory.offHeap.size", "0") : 0;
    long memory = offHeap > 0 ? offHeap : conf.getSizeAsBytes("spark.executor.memory", "1g");
    return Math.max(1, memory / tasks);
  }

  /**
   * The memory limit of each task's Tributary runtime (off-heap Arrow memory) instead of the one
   * Spark's settings give: give executors that much per core beyond their heap ({@code
   * spark.executor.memoryOverhead}).
   */
  public SparkEngine taskMemoryLimit(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("taskMemoryLimit must be >= 1, was " + bytes);
    }
    return new SparkEngine(session, bytes, partitions, broadcastBytes, splitBytes, onJobEnd,
        staging);
  }

  /** The memory limit of each task's runtime. */
  public long taskMemoryLimit() {
    return taskMemoryLimit;
  }

  /** The partitions of an exchange that does not say its own (a group-by, a join, a sort). */
  public SparkEngine partitions(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + n);
    }
    return new SparkEngine(session, taskMemoryLimit, n, broadcastBytes, splitBytes, onJobEnd,
        staging);
  }

  /**
   * Joins whose right input is read from Parquet files of at most {@code bytes} together (with
   * only per-partition stages after the read) send that input whole to every task of the left
   * one instead of shuffling both (inner, left outer, semi and anti joins); -1: never.
   */
  public SparkEngine broadcastBytes(long bytes) {
    return new SparkEngine(session, taskMemoryLimit, partitions, bytes, splitBytes, onJobEnd,
        staging);
  }

  /**
   * Calls {@code report} on the driver when a job has ended well, with every successful task's
   * peak memory against its limit (the bound each executor kept).
   */
  public SparkEngine onJobEnd(Consumer<List<TaskMemory>> report) {
    return new SparkEngine(session, taskMemoryLimit, partitions, broadcastBytes, splitBytes,
        Objects.requireNonNull(report, "report"), staging);
  }

  /**
   * Lets {@link #toSpark} take a dataset with an all-to-all stage: its result is written from
   * the executors (as {@code execute(this).writeParquet} does) into a new directory under {@code
   * directory}, which the driver and every executor must see (a shared file system), and that
   * read is handed to Spark; the directory is removed when the Spark application ends.
   */
  public SparkEngine stagingDirectory(String directory) {
    return new SparkEngine(session, taskMemoryLimit, partitions, broadcastBytes, splitBytes,
        onJobEnd, Objects.requireNonNull(directory, "directory"));
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.tributary.UnsupportedPlanException naming a stage Spark cannot run
   * @throws NotSerializableFunctionException naming a stage that cannot travel to executors
   */
  @Override
  public Dataset run(Dataset dataset) {
    PartitionPlan plan = PartitionPlan.of(dataset, "Spark", splitBytes);
    requireSerializable(plan);
    int exchange = partitions > 0 ? partitions : session.sparkContext().defaultParallelism();
    return Engine.of(new SparkResult(new SparkJob(session, plan, taskMemoryLimit, exchange,
        broadcastBytes, onJobEnd, packing()), plan));
  }

  /**
   * {@code dataset} as a Spark DataFrame of this engine's session, read through a columnar data
   * source: one partition per read split (as {@link #run} cuts them), each task running the
   * dataset's per-partition stages over its split as a governed pipeline in a runtime of its own
   * ({@link #taskMemoryLimit}), its blocks handed to Spark as {@code ColumnarBatch}es of {@code
   * ArrowColumnVector}s over the same buffers (millisecond timestamps copied as microseconds).
   * Each action on the DataFrame runs the dataset again. Checked now: the schema (from the plan,
   * or the first block of a local run when a row function hides it) and every stage. A dataset
   * with an all-to-all stage (a group-by, join, sort, limit, repartition or union) runs as a job
   * now when a {@link #stagingDirectory} is set, its result written there and read as above (a
   * result without rows: an empty DataFrame without columns, their types being unknown): once
   * per call, a snapshot every action on the DataFrame reads alike (call again for a fresh one).
   *
   * @throws dev.tributary.UnsupportedPlanException if the dataset has an all-to-all stage and no
   *     staging directory is set (or do the stage in Spark SQL on the DataFrame)
   * @throws NotSerializableFunctionException naming a stage that cannot travel to executors
   * @throws dev.tributary.memory.ColumnException naming a column Spark cannot read exactly
   *     (nanosecond timestamps, unsigned integers, ...)
   */
  public org.apache.spark.sql.Dataset<Row> toSpark(Dataset dataset) {
    PartitionPlan plan = PartitionPlan.of(dataset, "Spark", splitBytes);
    requireSerializable(plan);
    List<TaskStep> steps = new ArrayList<>();
    Node node = plan.root();
    while (node instanceof Local l) {
      steps.add(0, l instanceof Pool p ? TaskStep.Pooled.of(p) : new TaskStep.OnEach(l));
      node = l.input();
    }
    if (!(node instanceof Scan scan)) {
      if (staging != null) {
        Dataset staged = StagedResult.write(this, session.sparkContext(), dataset,
            Path.of(staging));
        // No rows, no file: no columns either, as for a dataset of no blocks (see schema()).
        return staged == null ? session.createDataFrame(List.of(), new StructType())
            : toSpark(staged);
      }
      throw new UnsupportedPlanException("Spark", node.name(), "toSpark hands Spark a "
          + "dataset's per-partition stages over its Parquet read; for an all-to-all stage (a "
          + "group-by, join, sort, limit, repartition or union) set stagingDirectory(dir), a "
          + "directory every executor sees, where the result is written first, or do that stage "
          + "in Spark SQL on the DataFrame");
    }
    Schema blocks = dataset.schema();
    Schema schema = FrameColumns.sparkSchema(blocks == null ? new Schema(List.of()) : blocks);
    Segment segment = new Segment(plan.settings(), scan, null, steps, null, null, null,
        taskMemoryLimit, null);
    return session.read().format(FrameSource.class.getName())
        .option(FrameSource.FRAME, new Frame(segment, scan.splits().size(), schema.toJson(),
            plan.toString()).encode())
        .load();
  }

  /**
   * {@code frame}'s rows as a dataset of this process: each time it runs, Spark's executors turn
   * the rows into Arrow record batches ({@code spark.sql.execution.arrow.maxRecordsPerBatch}
   * rows each; types as Spark's Arrow conversion makes them, timestamps in microseconds in the
   * session's zone), which are loaded into the reading execution's memory as they come.
   *
   * @throws IllegalArgumentException if {@code frame} is not of a session in this process
   */
  public static Dataset fromSpark(org.apache.spark.sql.Dataset<Row> frame) {
    return SparkRows.read(frame);
  }

  /**
   * How reads' splits are packed into partitions: by Spark SQL's settings for files ({@code
   * spark.sql.files.openCostInBytes}, {@code spark.sql.files.minPartitionNum}, else the
   * default parallelism), at most {@link #splitBytes} each.
   */
  private SplitPacking packing() {
    scala.Option<String> slots = session.conf().getOption("spark.sql.files.minPartitionNum");
    return new SplitPacking(splitBytes, JavaUtils.byteStringAsBytes(session.conf().get(
        "spark.sql.files.openCostInBytes", "4MB")), slots.isDefined()
        ? Integer.parseInt(slots.get()) : session.sparkContext().defaultParallelism());
  }

  /**
   * Serializes each stage as Spark will, inputs first, to name the first stage that cannot
   * travel.
   */
  private static void requireSerializable(PartitionPlan plan) {
    List<Node> stages = new ArrayList<>(plan.nodes());
    Collections.reverse(stages);
    for (Node step : stages) {
      try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
        out.writeObject(step);
      } catch (NotSerializableException e) {
        throw new NotSerializableFunctionException(step.name(), e.getMessage(), e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public String toString() {
    return "spark[" + session.sparkContext().master() + "]";
  }
}
