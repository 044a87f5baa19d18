package dev.tributary.spark;

import dev.tributary.PartitionPlan;
import dev.tributary.PartitionPlan.Exchange;
import dev.tributary.PartitionPlan.Pipeline;
import dev.tributary.PartitionPlan.Step;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.error.TributaryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

/**
 * One run of a {@link PartitionPlan} as Spark RDDs, on the driver: the read's splits as the
 * first stage's partitions, each exchange as Spark's shuffle of IPC bytes keyed by partition,
 * and the last segment's blocks to the driver or into a staged write.
 */
final class SparkJob {
  private final SparkSession session;
  private final PartitionPlan plan;
  private final long taskMemoryLimit;
  private final int partitions;
  private final Consumer<List<TaskMemory>> onJobEnd;

  SparkJob(SparkSession session, PartitionPlan plan, long taskMemoryLimit, int partitions,
      Consumer<List<TaskMemory>> onJobEnd) {
    this.session = session;
    this.plan = plan;
    this.taskMemoryLimit = taskMemoryLimit;
    this.partitions = partitions;
    this.onJobEnd = onJobEnd;
  }

  /** The result's blocks as IPC bytes, partition after partition, as Spark computes them. */
  Iterator<Object> blocks() {
    CollectionAccumulator<TaskMemory> memory = memory();
    Iterator<Object> blocks = unwrapped(() -> rdd(memory, (gatheredBy, pipelines) ->
        Segment.toDriver(plan, gatheredBy, pipelines, taskMemoryLimit, memory)).values()
        .toLocalIterator());
    return new Iterator<>() {
      private boolean reported;

      @Override
      public boolean hasNext() {
        boolean more = unwrapped(blocks::hasNext);
        if (!more && !reported) {
          reported = true;
          onJobEnd.accept(List.copyOf(memory.value()));
        }
        return more;
      }

      @Override
      public Object next() {
        return unwrapped(blocks::next);
      }
    };
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
   * Writes the result through {@code sink}: every task stages its files under a job directory
   * beside the target; once all succeeded, the driver moves them in ({@link JobCommit}).
   */
  WriteSummary write(ParquetSink sink) {
    Path target = sink.directory().toAbsolutePath();
    Path job = target.resolveSibling("." + target.getFileName() + ".tributary-job-"
        + UUID.randomUUID());
    CollectionAccumulator<TaskMemory> memory = memory();
    List<Object> staged;
    try {
      staged = unwrapped(() -> rdd(memory, (gatheredBy, pipelines) -> Segment.toWrite(plan,
          gatheredBy, pipelines, sink, job, taskMemoryLimit, memory)).values().collect());
    } catch (RuntimeException e) {
      JobCommit.discard(job);
      throw e;
    }
    onJobEnd.accept(List.copyOf(memory.value()));
    return JobCommit.commit(job, target, staged.stream()
        .map(s -> (Segment.StagedWrite) s).toList());
  }

  /** The job's RDDs, the last segment made by {@code last}. */
  /** A fresh accumulator of the tasks' memory, for one job. */
  private CollectionAccumulator<TaskMemory> memory() {
    return session.sparkContext().collectionAccumulator("tributary task memory");
  }

  private JavaPairRDD<Integer, Object> rdd(CollectionAccumulator<TaskMemory> memory,
      BiFunction<Exchange, List<Pipeline>, Segment> last) {
    JavaSparkContext spark = JavaSparkContext.fromSparkContext(session.sparkContext());
    JavaRDD<Object> gathered = null;
    Exchange gatheredBy = null;
    List<Pipeline> pipelines = new ArrayList<>();
    for (Step step : plan.steps()) {
      if (step instanceof Pipeline p) {
        pipelines.add(p);
        continue;
      }
      Exchange exchange = (Exchange) step;
      int n = exchange.partitions(partitions);
      Segment segment = Segment.toExchange(plan, gatheredBy, pipelines, exchange, n,
          taskMemoryLimit, memory);
      gathered = run(spark, segment, gathered).partitionBy(new HashPartitioner(n)).values();
      gatheredBy = exchange;
      pipelines = new ArrayList<>();
    }
    return run(spark, last.apply(gatheredBy, pipelines), gathered);
  }

  private JavaPairRDD<Integer, Object> run(JavaSparkContext spark, Segment segment,
      JavaRDD<Object> gathered) {
    if (gathered == null) {
      List<Integer> splits = IntStream.range(0, plan.splits()).boxed().toList();
      return spark.parallelize(splits, splits.size()).mapPartitionsToPair(segment::fromSplits);
    }
    return gathered.mapPartitionsToPair(segment::fromExchange);
  }
}
