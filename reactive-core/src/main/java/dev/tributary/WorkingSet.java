package dev.tributary;

import dev.tributary.exec.PhysicalPlan;
import dev.tributary.exec.PhysicalPlan.AggregateStage;
import dev.tributary.exec.PhysicalPlan.ExchangeStage;
import dev.tributary.exec.PhysicalPlan.FlatMapStage;
import dev.tributary.exec.PhysicalPlan.JoinStage;
import dev.tributary.exec.PhysicalPlan.MapGroupsStage;
import dev.tributary.exec.PhysicalPlan.MapStage;
import dev.tributary.exec.PhysicalPlan.OutputStage;
import dev.tributary.exec.PhysicalPlan.PoolStage;
import dev.tributary.exec.PhysicalPlan.ReadStage;
import dev.tributary.exec.PhysicalPlan.UnionStage;
import dev.tributary.exec.PhysicalPlan.ZipStage;

/**
 * The least memory an execution needs to make progress, read off its physical plan in blocks of
 * its expected size (what sources cut blocks to, {@link DataContext#effectiveMaxBlockSize()}):
 * a governor lets every operator take one block whatever its budget says, so this is what an
 * execution holds at its most throttled, and what admission reserves for it.
 *
 * <p>A source: {@value #SOURCE_BLOCKS} blocks (one decoded and waiting, one being decoded). A
 * stage running a transform (map, flat-map, worker pool): {@value #STAGE_BLOCKS} (the block in
 * process and its output). A boundary with nothing running behind it (the consumer's end, the
 * inputs of a join, zip, aggregation or exchange): {@value #BOUNDARY_BLOCKS}. A pipeline break
 * (exchange, aggregation, join, group map) one more block for what it makes, an exchange also
 * the least it holds before it spills. The inputs of a union run one after the other: the
 * largest counts; both sides of a join or zip run at once: both count.
 */
final class WorkingSet {
  /** Blocks a source holds at least. */
  static final int SOURCE_BLOCKS = 2;
  /** Blocks a stage running a transform holds at least: its input and its output. */
  static final int STAGE_BLOCKS = 2;
  /** Blocks a boundary with no transform behind it holds at least. */
  static final int BOUNDARY_BLOCKS = 1;

  private final long blockBytes;
  private final long exchangeBytes;

  /** Counts blocks of {@code blockBytes}; an exchange holds {@code exchangeBytes} before spilling. */
  WorkingSet(long blockBytes, long exchangeBytes) {
    this.blockBytes = blockBytes;
    this.exchangeBytes = exchangeBytes;
  }

  /** A source's minimum (bytes). */
  long source() {
    return SOURCE_BLOCKS * blockBytes;
  }

  /** The minimum of a governor feeding a transform (bytes). */
  long stage() {
    return STAGE_BLOCKS * blockBytes;
  }

  /** The minimum of a boundary with nothing running behind it (bytes). */
  long boundary() {
    return BOUNDARY_BLOCKS * blockBytes;
  }

  /** The minimum of the whole plan below and including {@code node} (bytes). */
  long of(PhysicalPlan node) {
    if (node instanceof ReadStage) {
      return source();
    }
    if (node instanceof UnionStage u) {
      return u.inputs().stream().mapToLong(this::of).max().orElse(0);
    }
    if (node instanceof JoinStage j) {
      return of(j.left()) + of(j.right()) + 2 * boundary() + blockBytes;
    }
    if (node instanceof ZipStage z) {
      return of(z.left()) + of(z.right()) + 2 * boundary();
    }
    long input = of(node.inputs().get(0));
    if (node instanceof MapStage || node instanceof FlatMapStage || node instanceof PoolStage) {
      return input + stage();
    }
    if (node instanceof ExchangeStage) {
      return input + boundary() + blockBytes + exchangeBytes;
    }
    if (node instanceof AggregateStage || node instanceof MapGroupsStage) {
      return input + boundary() + blockBytes;
    }
    if (node instanceof OutputStage) {
      return input + boundary();
    }
    return input; // a limit only passes blocks on
  }
}
