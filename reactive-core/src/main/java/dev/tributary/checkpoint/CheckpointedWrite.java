package dev.tributary.checkpoint;

import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Block;
import dev.tributary.plan.Evaluate;
import dev.tributary.plan.Filter;
import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.MapBatches;
import dev.tributary.plan.MapRows;
import dev.tributary.plan.PooledMapBatches;
import dev.tributary.plan.Project;
import dev.tributary.plan.Read;
import dev.tributary.plan.Rebatch;
import dev.tributary.plan.Repartition;
import dev.tributary.plan.Union;
import dev.tributary.plan.Write;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One run of a checkpointed write: the plan with the committed rows dropped after each read, and
 * a sink that writes the rest in segments, commits each, and publishes all of them at the end.
 * For {@code Dataset}'s writers; applications pass a {@link Checkpoint} to them.
 */
public final class CheckpointedWrite {
  /** A file sink publishing into a given directory, as {@code ParquetSink.into(dir)::write}. */
  @FunctionalInterface
  public interface SinkAt {
    /** The sink that publishes into {@code directory} (which does not exist yet). */
    BiFunction<Flux<Block>, Scheduler, Mono<WriteSummary>> at(Path directory);
  }

  private final Checkpoint checkpoint;
  private final CheckpointStore store;
  private final SinkAt sinkAt;
  private final Write plan;

  private CheckpointedWrite(Checkpoint checkpoint, CheckpointStore store, SinkAt sinkAt,
      LogicalPlan input, String name) {
    this.checkpoint = checkpoint;
    this.store = store;
    this.sinkAt = sinkAt;
    LogicalPlan resumed = input;
    if (!store.publishing()) {
      CommittedIds committed = store.committed(checkpoint.idColumn());
      if (committed.size() > 0) {
        resumed = skipping(input, committed, "SkipCommitted[" + checkpoint.idColumn() + ": "
            + committed.size() + " rows]");
      }
    }
    this.plan = new Write(resumed, name + "[checkpoint " + checkpoint.directory() + "]",
        this::write);
  }

  /**
   * Checks that {@code input} can be checkpointed and opens the checkpoint, resuming what it
   * records; reads the committed ids (blocking file I/O).
   *
   * @param checkpoint where and how
   * @param input the plan the write writes
   * @param name the writer's name, e.g. {@code WriteParquet}
   * @param target the directory the files are published into
   * @param sink the sink's settings as text (compared on resume)
   * @param sinkAt the same sink into another directory
   * @throws PlanChangedException if the checkpoint holds another write's progress
   * @throws CheckpointException if the plan is not reads followed by one-row-per-row
   *     transforms, a read or the output lacks the id column, or the directory is unusable
   */
  public static CheckpointedWrite open(Checkpoint checkpoint, LogicalPlan input, String name,
      Path target, String sink, SinkAt sinkAt) {
    check(input, checkpoint);
    List<String> output = input.columns();
    if (output != null && !output.contains(checkpoint.idColumn())) {
      throw new CheckpointException(checkpoint.directory(), "the written rows have no column "
          + checkpoint.idColumn() + " (they have " + output + "); the id must reach the sink");
    }
    String job = name + " into " + target.toAbsolutePath() + "\nsink " + sink + "\nid "
        + checkpoint.idColumn() + "\nplan\n" + LogicalPlan.explain(input);
    CheckpointStore store = CheckpointStore.open(checkpoint.directory(), target, job);
    return new CheckpointedWrite(checkpoint, store, sinkAt, input, name);
  }

  /** Refuses a node whose output rows are not each made from one input row. */
  private static void check(LogicalPlan node, Checkpoint checkpoint) {
    if (node instanceof Read read) {
      List<String> columns = read.columns();
      if (columns != null && !columns.contains(checkpoint.idColumn())) {
        throw new CheckpointException(checkpoint.directory(), "the read " + read.describe()
            + " has no column " + checkpoint.idColumn() + " (it has " + columns + ")");
      }
    } else if (!(node instanceof Project || node instanceof Evaluate || node instanceof MapRows
        || node instanceof MapBatches || node instanceof PooledMapBatches
        || node instanceof Filter || node instanceof Rebatch || node instanceof Repartition
        || node instanceof Union)) {
      throw new CheckpointException(checkpoint.directory(), node.describe()
          + " does not make each output row from one input row, so skipping committed rows"
          + " would change its output; checkpoint a read followed by map, withColumn, select,"
          + " filter, mapBatches, rebatch or repartition");
    }
    node.inputs().forEach(input -> check(input, checkpoint));
  }

  /** {@code node} with the committed rows dropped right after each read. */
  private static LogicalPlan skipping(LogicalPlan node, CommittedIds committed, String name) {
    if (node instanceof Read) {
      return Filter.opaque(node, name, committed::uncommitted);
    }
    return node.withInputs(node.inputs().stream()
        .map(input -> skipping(input, committed, name)).toList());
  }

  /** Whether every segment had committed and only publishing them is left (nothing to run). */
  public boolean onlyPublicationLeft() {
    return store.publishing();
  }

  /** The write to run: the resumed plan into this write's segmenting sink. */
  public Write plan() {
    return plan;
  }

  /**
   * Publishes every committed segment into the target and deletes the checkpoint (blocking file
   * I/O); what the target then holds, and the rows of all runs.
   */
  public WriteSummary publish() {
    return store.publish();
  }

  /**
   * Cuts the blocks into segments of about {@code rowsPerCommit} rows, writes and commits them
   * one after another, then publishes.
   */
  private Mono<WriteSummary> write(Flux<Block> blocks, Scheduler io) {
    AtomicLong rows = new AtomicLong();
    long perCommit = checkpoint.rowsPerCommit();
    return blocks
        .windowUntil(b -> {
          if (rows.addAndGet(b.rowCount()) < perCommit) {
            return false;
          }
          rows.set(0);
          return true;
        }, false, 1)
        .concatMap(segment -> segment(segment, io), 0)
        .then(Mono.fromCallable(this::publish).subscribeOn(io))
        .doOnDiscard(Block.class, Block::release);
  }

  /** Writes one segment's blocks into its directory, then records their ids: the commit. */
  private Mono<Void> segment(Flux<Block> blocks, Scheduler io) {
    return Mono.defer(() -> {
      int segment = store.nextSegment();
      SegmentIds ids = new SegmentIds(checkpoint.directory(), checkpoint.idColumn());
      Flux<Block> recorded = blocks.<Block>handle((block, next) -> {
        try {
          ids.add(block);
        } catch (RuntimeException e) {
          block.release();
          next.error(e);
          return;
        }
        next.next(block);
      }).doOnDiscard(Block.class, Block::release);
      return sinkAt.at(store.segmentDirectory(segment)).apply(recorded, io)
          .then(Mono.fromRunnable(() -> store.commit(segment, ids)).subscribeOn(io))
          .then();
    });
  }
}
