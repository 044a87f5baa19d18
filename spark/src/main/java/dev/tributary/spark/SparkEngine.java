package dev.tributary.spark;

import dev.tributary.Dataset;
import dev.tributary.Engine;
import dev.tributary.PartitionPlan;
import dev.tributary.PartitionPlan.Step;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a {@link Dataset} on Apache Spark: {@code ds.execute(SparkEngine.of(session))}. The plan
 * is cut as {@link PartitionPlan} says — the Parquet read into one partition per file, the fused
 * per-partition stages run in each task as a governed Tributary pipeline (its own runtime and
 * arena, limited to {@link #taskMemoryLimit}), group-by aggregations and repartitions as Spark
 * shuffles of Arrow IPC blocks — and checked on the driver before anything runs: a stage Spark
 * cannot run fails with {@link dev.tributary.UnsupportedPlanException}, a stage holding a
 * function that is not serializable with {@link NotSerializableFunctionException}.
 *
 * <p>The dataset answered reads the job's result into this process each time it runs; its
 * {@code writeParquet} writes from the executors instead, every task's files staged and moved
 * into the target by the driver once all tasks succeeded.
 */
public final class SparkEngine implements Engine {
  /** The memory limit of each task's runtime unless {@link #taskMemoryLimit} says otherwise. */
  public static final long DEFAULT_TASK_MEMORY_LIMIT = 256 * Bytes.MiB;

  private final SparkSession session;
  private final long taskMemoryLimit;
  private final int partitions;
  private final Consumer<List<TaskMemory>> onJobEnd;

  private SparkEngine(SparkSession session, long taskMemoryLimit, int partitions,
      Consumer<List<TaskMemory>> onJobEnd) {
    this.session = session;
    this.taskMemoryLimit = taskMemoryLimit;
    this.partitions = partitions;
    this.onJobEnd = onJobEnd;
  }

  /**
   * An engine running on {@code session}'s cluster, with {@link #DEFAULT_TASK_MEMORY_LIMIT} per
   * task and Spark's default parallelism as the partitions of an exchange.
   */
  public static SparkEngine of(SparkSession session) {
    return new SparkEngine(Objects.requireNonNull(session, "session"),
        DEFAULT_TASK_MEMORY_LIMIT, 0, tasks -> { });
  }

  /**
   * The memory limit of each task's Tributary runtime (off-heap Arrow memory): give executors
   * that much per core beyond their heap ({@code spark.executor.memoryOverhead}).
   */
  public SparkEngine taskMemoryLimit(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("taskMemoryLimit must be >= 1, was " + bytes);
    }
    return new SparkEngine(session, bytes, partitions, onJobEnd);
  }

  /** The partitions of an exchange that does not say its own (a group-by aggregation). */
  public SparkEngine partitions(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + n);
    }
    return new SparkEngine(session, taskMemoryLimit, n, onJobEnd);
  }

  /**
   * Calls {@code report} on the driver when a job has ended well, with every successful task's
   * peak memory against its limit (the bound each executor kept).
   */
  public SparkEngine onJobEnd(Consumer<List<TaskMemory>> report) {
    return new SparkEngine(session, taskMemoryLimit, partitions,
        Objects.requireNonNull(report, "report"));
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.tributary.UnsupportedPlanException naming a stage Spark cannot run
   * @throws NotSerializableFunctionException naming a stage that cannot travel to executors
   */
  @Override
  public Dataset run(Dataset dataset) {
    PartitionPlan plan = PartitionPlan.of(dataset, "Spark");
    requireSerializable(plan);
    int exchange = partitions > 0 ? partitions : session.sparkContext().defaultParallelism();
    return Engine.of(new SparkResult(new SparkJob(session, plan, taskMemoryLimit, exchange,
        onJobEnd), plan));
  }

  /** Serializes each step as Spark will, to name the stage that cannot travel. */
  private static void requireSerializable(PartitionPlan plan) {
    for (Step step : plan.steps()) {
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
