package dev.tributary.spark;

import dev.tributary.BlockIterator;
import dev.tributary.Dataset;
import dev.tributary.PartitionPlan;
import dev.tributary.PartitionPlan.Concat;
import dev.tributary.PartitionPlan.Exchange;
import dev.tributary.PartitionPlan.JoinOn;
import dev.tributary.PartitionPlan.LimitRows;
import dev.tributary.PartitionPlan.Node;
import dev.tributary.PartitionPlan.Scan;
import dev.tributary.PartitionPlan.SortBy;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import scala.Tuple2;

/**
 * What one Spark task runs: a governed Tributary pipeline over its partition's input (a read
 * split, the blocks an exchange gathered for it, or the two sides of a join), in a runtime of its
 * own with the task's memory limit, then its {@link TaskStep}s, ending in the next exchange, the
 * driver, or a staged write. Travels inside the job, with everything it needs (no system property
 * reaches an executor).
 */
final class Segment implements Serializable {
  private static final long serialVersionUID = 2L;

  private final PartitionPlan.Settings settings;
  private final Scan scan;
  private final Node gatheredBy;
  private final ArrayList<TaskStep> steps;
  private final BlockCut cut;
  private final ParquetSink sink;
  private final String jobDirectory;
  private final long memoryLimit;
  private final CollectionAccumulator<TaskMemory> memory;

  /**
   * A segment run with the dataset's {@code settings}, reading {@code scan}'s splits (when not
   * null) or the blocks gathered by {@code gatheredBy} (null: passed on as they are), then running
   * {@code steps}; its blocks leave as {@code cut} says, or through {@code sink} into a staging
   * directory of its own under {@code jobDirectory}, each task's peak memory reported to {@code
   * memory} (a DataFrame's reader, {@link FrameReader}, runs only its runtime and pipeline: no
   * cut, sink or report).
   */
  Segment(PartitionPlan.Settings settings, Scan scan, Node gatheredBy, List<TaskStep> steps,
      BlockCut cut, ParquetSink sink, Path jobDirectory, long memoryLimit,
      CollectionAccumulator<TaskMemory> memory) {
    this.settings = settings;
    this.scan = scan;
    this.gatheredBy = gatheredBy;
    this.steps = new ArrayList<>(steps);
    this.cut = cut;
    this.sink = sink;
    this.jobDirectory = jobDirectory == null ? null : jobDirectory.toString();
    this.memoryLimit = memoryLimit;
    this.memory = memory;
  }

  /** The task over read splits: one partition's indexes, read one after the other. */
  Iterator<Tuple2<Integer, Object>> fromSplits(Iterator<int[]> partition) {
    if (!partition.hasNext()) {
      return List.<Tuple2<Integer, Object>>of().iterator();
    }
    return run(scan.read(partition.next()));
  }

  /** The task over the blocks an exchange (a sort, a limit, a union) gathered for it. */
  Iterator<Tuple2<Integer, Object>> fromGathered(Iterator<Object> blocks) {
    Dataset gathered = gathered("Exchanged", blocks);
    if (gatheredBy instanceof Exchange x) {
      gathered = x.after(gathered);
    } else if (gatheredBy instanceof SortBy s) {
      gathered = s.after(gathered);
    } else if (gatheredBy instanceof LimitRows l) {
      gathered = l.after(gathered);
    } else if (gatheredBy != null && !(gatheredBy instanceof Concat)) {
      throw new IllegalStateException("not a gathering stage: " + gatheredBy.name());
    }
    return run(gathered);
  }

  /** The task joining the left and right blocks a join's two exchanges gathered for it. */
  Iterator<Tuple2<Integer, Object>> fromJoined(Iterator<Object> left, Iterator<Object> right) {
    return run(((JoinOn) gatheredBy).after(gathered("Left", left), gathered("Right", right)));
  }

  private Dataset gathered(String side, Iterator<?> blocks) {
    return PartitionPlan.read(IpcBlocks.source(side + "[" + (gatheredBy == null ? "blocks"
        : gatheredBy.name()) + " #" + TaskContext.get().partitionId() + "]", blocks));
  }

  /**
   * The runtime of {@code task}: an arena of its own, limited to the task's memory, on the
   * executor's threads ({@link ExecutorThreads}).
   */
  TributaryRuntime runtime(TaskContext task) {
    ExecutorSetup.arrow();
    return TributaryRuntime.builder()
        .name("spark-stage" + task.stageId() + "-task" + task.partitionId() + "-attempt"
            + task.attemptNumber())
        .memoryLimit(memoryLimit)
        .cpuScheduler(ExecutorThreads.cpu())
        .ioScheduler(ExecutorThreads.io())
        .build();
  }

  /** {@code input} run in {@code runtime} under the dataset's context, then the steps. */
  Dataset pipeline(Dataset input, TributaryRuntime runtime) {
    Dataset dataset = input.withRuntime(runtime).withContext(settings.context());
    for (TaskStep step : steps) {
      dataset = step.apply(dataset);
    }
    return dataset;
  }

  /** The read this segment starts from, or null when it reads gathered blocks. */
  Scan scan() {
    return scan;
  }

  private Iterator<Tuple2<Integer, Object>> run(Dataset input) {
    TaskContext task = TaskContext.get();
    TributaryRuntime runtime = runtime(task);
    Dataset dataset = pipeline(input, runtime);
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
    Encoded encoded = new Encoded(blocks, encoding, cut, task.partitionId(), () -> {
      try (runtime) {
        blocks.close();
        report(task, runtime);
      }
    });
    // Spark drains the iterator after this returns (or stops early: a limit downstream); the
    // task's end, also by failure or kill, closes what is left of the execution, then its runtime.
    task.addTaskCompletionListener((TaskCompletionListener) ended -> encoded.end());
    return encoded;
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
   * The execution's blocks as the cut makes them; ends the execution (closing its runtime) once
   * read to the end, or when the task ends, whichever comes first.
   */
  private static final class Encoded implements Iterator<Tuple2<Integer, Object>> {
    private final BlockIterator blocks;
    private final Account account;
    private final BlockCut cut;
    private final int task;
    private final Runnable onEnd;
    private final ArrayDeque<Tuple2<Integer, Object>> pending = new ArrayDeque<>();
    private final List<Tuple2<Integer, Object>> made = new ArrayList<>();
    private long sequence;
    private boolean ended;

    Encoded(BlockIterator blocks, Account account, BlockCut cut, int task, Runnable onEnd) {
      this.blocks = blocks;
      this.account = account;
      this.cut = cut;
      this.task = task;
      this.onEnd = onEnd;
    }

    @Override
    public boolean hasNext() {
      while (pending.isEmpty() && !ended && blocks.hasNext()) {
        try (Block block = blocks.next().transferTo(account)) {
          made.clear();
          cut.cut(block, account, task, sequence++, made);
          pending.addAll(made);
        }
      }
      if (pending.isEmpty()) {
        end();
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

    /** Ends the execution once (both the last read and the task's end may ask). */
    synchronized void end() {
      if (!ended) {
        ended = true;
        onEnd.run();
      }
    }
  }
}
