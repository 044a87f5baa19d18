package dev.tributary.spark;

import dev.tributary.BlockIterator;
import dev.tributary.Dataset;
import dev.tributary.PartitionPlan;
import dev.tributary.PartitionPlan.Exchange;
import dev.tributary.PartitionPlan.Pipeline;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.HashPartitioner;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.util.CollectionAccumulator;
import scala.Tuple2;

/**
 * What one Spark task runs: a governed Tributary pipeline over its partition's input (a read
 * split, or the blocks an exchange gathered for it), in a runtime of its own with the task's
 * memory limit, ending in the next exchange, the driver, or a staged write. Travels inside the
 * job, with everything it needs (no system property reaches an executor).
 */
final class Segment implements Serializable {
  private static final long serialVersionUID = 1L;

  private final PartitionPlan plan;
  private final Exchange gatheredBy;
  private final ArrayList<Pipeline> pipelines;
  private final Exchange next;
  private final int nextPartitions;
  private final ParquetSink sink;
  private final String jobDirectory;
  private final long memoryLimit;
  private final CollectionAccumulator<TaskMemory> memory;

  private Segment(PartitionPlan plan, Exchange gatheredBy, List<Pipeline> pipelines,
      Exchange next, int nextPartitions, ParquetSink sink, String jobDirectory,
      long memoryLimit, CollectionAccumulator<TaskMemory> memory) {
    this.plan = plan;
    this.gatheredBy = gatheredBy;
    this.pipelines = new ArrayList<>(pipelines);
    this.next = next;
    this.nextPartitions = nextPartitions;
    this.sink = sink;
    this.jobDirectory = jobDirectory;
    this.memoryLimit = memoryLimit;
    this.memory = memory;
  }

  /** A segment whose blocks go into exchange {@code next}, cut into {@code partitions}. */
  static Segment toExchange(PartitionPlan plan, Exchange gatheredBy, List<Pipeline> pipelines,
      Exchange next, int partitions, long memoryLimit, CollectionAccumulator<TaskMemory> memory) {
    return new Segment(plan, gatheredBy, pipelines, next, partitions, null, null, memoryLimit,
        memory);
  }

  /** A segment whose blocks go to the driver. */
  static Segment toDriver(PartitionPlan plan, Exchange gatheredBy, List<Pipeline> pipelines,
      long memoryLimit, CollectionAccumulator<TaskMemory> memory) {
    return new Segment(plan, gatheredBy, pipelines, null, 0, null, null, memoryLimit, memory);
  }

  /**
   * A segment that writes its partition through {@code sink} into a staging directory of its
   * own under {@code jobDirectory}, and answers that directory.
   */
  static Segment toWrite(PartitionPlan plan, Exchange gatheredBy, List<Pipeline> pipelines,
      ParquetSink sink, Path jobDirectory, long memoryLimit,
      CollectionAccumulator<TaskMemory> memory) {
    return new Segment(plan, gatheredBy, pipelines, null, 0, sink, jobDirectory.toString(),
        memoryLimit, memory);
  }

  /** The task over read splits (one per task). */
  Iterator<Tuple2<Integer, Object>> fromSplits(Iterator<Integer> splits) {
    Dataset input = null;
    while (splits.hasNext()) {
      Dataset split = plan.read(splits.next());
      input = input == null ? split : input.union(split);
    }
    return input == null ? List.<Tuple2<Integer, Object>>of().iterator() : run(input);
  }

  /** The task over the blocks an exchange gathered for its partition. */
  Iterator<Tuple2<Integer, Object>> fromExchange(Iterator<Object> blocks) {
    TaskContext task = TaskContext.get();
    Dataset gathered = PartitionPlan.read(IpcBlocks.source(
        "Exchanged[" + gatheredBy.name() + " #" + task.partitionId() + "]", blocks));
    return run(gatheredBy.after(gathered));
  }

  private Iterator<Tuple2<Integer, Object>> run(Dataset input) {
    TaskContext task = TaskContext.get();
    ExecutorSetup.arrow();
    TributaryRuntime runtime = TributaryRuntime.builder()
        .name("spark-stage" + task.stageId() + "-task" + task.partitionId() + "-attempt"
            + task.attemptNumber())
        .memoryLimit(memoryLimit)
        .build();
    Dataset dataset = input.withRuntime(runtime);
    for (Pipeline p : pipelines) {
      dataset = p.apply(dataset);
    }
    if (sink != null) {
      try (runtime) {
        Path staged = Path.of(jobDirectory, "task-" + task.partitionId() + "-"
            + task.attemptNumber());
        WriteSummary written = dataset.writeParquet(sink.into(staged));
        report(task, runtime);
        return List.<Tuple2<Integer, Object>>of(new Tuple2<>(task.partitionId(),
            new StagedWrite(staged.toString(), written.rows()))).iterator();
      }
    }
    BlockIterator blocks = dataset.iterator();
    // Blocks move out of the execution on arrival: its scope closes (releasing what its accounts
    // hold) as soon as its last block is handed out, while this still cuts and encodes.
    Account encoding = runtime.arena().openAccount("spark task output");
    // Spark drains the iterator after this returns; the task's end (also by failure or kill)
    // closes what is left of the execution, then its runtime.
    task.addTaskCompletionListener(ended -> {
      try (runtime) {
        blocks.close();
        report(task, runtime);
      }
    });
    return new Encoded(blocks, encoding, next == null ? null
        : next.keys().isEmpty() ? null : new HashPartitioner(next.keys(), nextPartitions),
        next == null ? 0 : nextPartitions, task.partitionId());
  }

  /** Reports the task's peak memory to the driver (counted only if the task succeeds). */
  private void report(TaskContext task, TributaryRuntime runtime) {
    memory.add(new TaskMemory(task.stageId(), task.partitionId(), runtime.arena().peakBytes(),
        runtime.memoryLimit()));
  }

  /**
   * What a task's staged write produced: its directory (files complete) and rows.
   *
   * @param directory the task's staging directory
   * @param rows the rows written
   */
  record StagedWrite(String directory, long rows) implements Serializable {}

  /**
   * The execution's blocks as IPC bytes keyed by their partition in the next exchange (by key
   * hash, or dealt round robin without keys), or by the task's partition when none follows.
   */
  private static final class Encoded implements Iterator<Tuple2<Integer, Object>> {
    private final BlockIterator blocks;
    private final Account account;
    private final HashPartitioner partitioner;
    private final int partitions;
    private final int task;
    private final ArrayDeque<Tuple2<Integer, Object>> pending = new ArrayDeque<>();
    private int dealt;

    Encoded(BlockIterator blocks, Account account, HashPartitioner partitioner, int partitions,
        int task) {
      this.blocks = blocks;
      this.account = account;
      this.partitioner = partitioner;
      this.partitions = partitions;
      this.task = task;
    }

    @Override
    public boolean hasNext() {
      while (pending.isEmpty() && blocks.hasNext()) {
        try (Block block = blocks.next().transferTo(account)) {
          if (partitioner == null) {
            int key = partitions == 0 ? task : Math.floorMod(task + dealt++, partitions);
            pending.add(new Tuple2<>(key, IpcBlocks.encode(block)));
          } else {
            List<Block> parts = partitioner.split(block, account);
            for (int p = 0; p < parts.size(); p++) {
              if (parts.get(p) != null) {
                try (Block part = parts.get(p)) {
                  pending.add(new Tuple2<>(p, IpcBlocks.encode(part)));
                }
              }
            }
          }
        }
      }
      return !pending.isEmpty();
    }

    @Override
    public Tuple2<Integer, Object> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.poll();
    }
  }
}
