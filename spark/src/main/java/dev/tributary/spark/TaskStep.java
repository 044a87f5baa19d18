package dev.tributary.spark;

import dev.tributary.Dataset;
import dev.tributary.PartitionPlan;
import dev.tributary.PartitionPlan.JoinOn;
import dev.tributary.PartitionPlan.LimitRows;
import dev.tributary.PartitionPlan.Local;
import dev.tributary.PartitionPlan.Pool;
import dev.tributary.operators.aggregate.Aggregate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;

/** What a task runs on its partition's blocks after reading them, in order. */
sealed interface TaskStep extends Serializable {
  /** {@code input} with this step after it. */
  Dataset apply(Dataset input);

  /**
   * A per-partition stage of the plan.
   *
   * @param stage the stage
   */
  record OnEach(Local stage) implements TaskStep {
    @Override
    public Dataset apply(Dataset input) {
      return InTask.stage(stage, TaskContext.get()).apply(input);
    }
  }

  /**
   * A worker pool whose instances are the executor's, kept between its tasks ({@link
   * ExecutorInstances}).
   *
   * @param pool the stage
   * @param key the stage's key on executors: the same definition, the same instances
   */
  record Pooled(Pool pool, String key) implements TaskStep {
    /**
     * The step of {@code pool}, keyed by its serialized function: the same definition, run
     * again, finds the instances the executor kept.
     */
    static Pooled of(Pool pool) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(pool.name());
        out.writeObject(pool.factory());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        return new Pooled(pool, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(bytes.toByteArray())));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Dataset apply(Dataset input) {
      return pool.withFactory(new ExecutorInstances.Shared(key, pool.factory(),
          TaskContext.get())).apply(input);
    }
  }

  /**
   * Each partition's first rows, before they are gathered (and limited again) in order.
   *
   * @param limit the limit
   */
  record LimitEach(LimitRows limit) implements TaskStep {
    @Override
    public Dataset apply(Dataset input) {
      return limit.after(input);
    }
  }

  /**
   * A partition's part of an aggregation, to be combined after an exchange or on the driver: a
   * row per group of the partition's rows (one row without keys).
   *
   * @param keys the group keys, or none
   * @param aggregates the aggregations' parts ({@link Aggregate#partial()})
   */
  record AggregateEach(List<String> keys, List<Aggregate> aggregates) implements TaskStep {
    /** Copies the lists. */
    public AggregateEach {
      keys = new ArrayList<>(keys);
      aggregates = new ArrayList<>(aggregates);
    }

    @Override
    public Dataset apply(Dataset input) {
      return keys.isEmpty() ? PartitionPlan.aggregated(input, aggregates)
          : input.groupBy(keys.toArray(String[]::new))
              .aggregate(aggregates.toArray(Aggregate[]::new));
    }
  }

  /**
   * A join with a small right input, the same whole input in every task: the blocks Spark
   * broadcast to the executors, decoded into the task's arena.
   *
   * @param join the join
   * @param right the right input's blocks as IPC bytes
   */
  record BroadcastJoin(JoinOn join, Broadcast<List<byte[]>> right) implements TaskStep {
    @Override
    public Dataset apply(Dataset input) {
      return join.after(input, PartitionPlan.read(IpcBlocks.source("Broadcast[" + join.name()
          + "]", right.value().iterator())));
    }
  }
}
