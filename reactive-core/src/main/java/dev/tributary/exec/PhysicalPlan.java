package dev.tributary.exec;

import dev.tributary.connectors.WriteSummary;
import dev.tributary.gpu.GpuCompute;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import dev.tributary.plan.BlockShuffle;
import dev.tributary.plan.FlatMap;
import dev.tributary.plan.GroupAggregate;
import dev.tributary.plan.GroupMap;
import dev.tributary.plan.Join;
import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.PooledMapBatches;
import dev.tributary.plan.Read;
import dev.tributary.plan.Repartition;
import dev.tributary.plan.Shuffle;
import dev.tributary.plan.Sort;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * What an execution runs: a tree of stages, built from an optimized logical plan by {@link
 * PhysicalPlanner}. The executor and {@code explain()} both render this one tree, so what explain
 * shows is what runs. A stage ({@link ReadStage}, {@link MapStage}, {@link FlatMapStage}, {@link
 * AggregateStage}, {@link MapGroupsStage}, {@link JoinStage}, {@link OutputStage}) is one physical operator with its own account (memory charged to it) and stats
 * row, named by {@link #name()}; every stage but a read takes its input through a memory
 * governor, then block sizing (split above the maximum block size; small blocks straight from a
 * read that leaves its block count open coalesced). {@link ExchangeStage} is a pipeline break
 * (sort, shuffle, repartition) holding and spilling blocks in an account of its own.
 * {@link LimitStage} and {@link UnionStage} only pass blocks on.
 */
public sealed interface PhysicalPlan {
  /** The stage's name: its account's and its stats row's. */
  String name();

  /** The stages it reads from, in order. */
  List<PhysicalPlan> inputs();

  /** The line {@code explain()} shows for it: the operator, then the name and details. */
  String describe();

  /**
   * Whether a read feeds this stage directly (its blocks are cut to the read size behind the
   * stage's governor): derived from its input, never stored.
   */
  default boolean fedBySource() {
    List<PhysicalPlan> in = inputs();
    return in.size() == 1 && in.get(0) instanceof ReadStage;
  }

  /**
   * Whether small blocks from the read feeding this stage are coalesced: a read whose source
   * leaves the block count open ({@link dev.tributary.plan.Source#blockCountFixed()}).
   */
  default boolean coalesces() {
    List<PhysicalPlan> in = inputs();
    return in.size() == 1 && in.get(0) instanceof ReadStage r
        && !r.read().source().blockCountFixed();
  }

  /** The plan, source first, one stage per line; a union's or join's inputs indented below it. */
  default String explain() {
    List<String> lines = new ArrayList<>();
    explain(this, 0, lines);
    return String.join("\n", lines) + "\n";
  }

  private static void explain(PhysicalPlan node, int depth, List<String> lines) {
    String indent = "  ".repeat(depth);
    if (node instanceof UnionStage || node instanceof JoinStage) {
      lines.add(indent + node.describe() + (node instanceof JoinStage ? " of:" : ""));
      node.inputs().forEach(input -> explain(input, depth + 1, lines));
      return;
    }
    node.inputs().forEach(input -> explain(input, depth, lines));
    lines.add(indent + node.describe());
  }

  /**
   * A source's read, with what was pushed into it.
   *
   * @param read the logical read (source and pushdown)
   */
  record ReadStage(Read read) implements PhysicalPlan {
    /** Checks the argument. */
    public ReadStage {
      Objects.requireNonNull(read, "read");
    }

    @Override
    public String name() {
      return read.source().name();
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of();
    }

    @Override
    public String describe() {
      return "Read " + read.describe();
    }
  }

  /**
   * Adjacent one-to-one operators fused into one block transform ({@code MapBlocks}): a
   * governor, optionally a re-cut of the input, then the transform inline or on a task pool.
   *
   * @param input the stage it reads from
   * @param operators the fused operators' names, in order
   * @param transform the fused transform
   * @param rebatchRows rows per input block (a re-cut before the transform), or 0
   * @param concurrency transform calls at once (1: inline)
   * @param gpu the devices whose own threads run the transform, or null for the CPU
   * @param blocking whether the transform may block on I/O, so it runs on the {@code io}
   *     scheduler (a download), with {@code concurrency} blocks at once
   */
  record MapStage(PhysicalPlan input, List<String> operators, BlockTransform transform,
      int rebatchRows, int concurrency, GpuCompute gpu, boolean blocking)
      implements PhysicalPlan {
    /** Copies the names. */
    public MapStage {
      Objects.requireNonNull(input, "input");
      operators = List.copyOf(operators);
      Objects.requireNonNull(transform, "transform");
    }

    /** A stage on the CPU. */
    public MapStage(PhysicalPlan input, List<String> operators, BlockTransform transform,
        int rebatchRows, int concurrency) {
      this(input, operators, transform, rebatchRows, concurrency, null, false);
    }

    @Override
    public String name() {
      return String.join("->", operators);
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(input);
    }

    @Override
    public String describe() {
      return "MapBlocks " + name()
          + (operators.size() > 1 ? "  (fused " + operators.size() + " operators)" : "");
    }
  }

  /**
   * A row flat map ({@code FlatMapRows}) behind its governor.
   *
   * @param input the stage it reads from
   * @param node the logical flat map
   */
  record FlatMapStage(PhysicalPlan input, FlatMap node)
      implements PhysicalPlan {
    @Override
    public String name() {
      return node.describe();
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(input);
    }

    @Override
    public String describe() {
      return "FlatMapRows " + name();
    }
  }

  /**
   * A stateful batch function on a worker pool ({@code WorkerPool}) behind its governor,
   * optionally after a re-cut of its input.
   *
   * @param input the stage it reads from
   * @param node the logical pooled function
   */
  record PoolStage(PhysicalPlan input, PooledMapBatches node) implements PhysicalPlan {
    @Override
    public String name() {
      return node.name();
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(input);
    }

    @Override
    public String describe() {
      return "WorkerPool " + node.describe();
    }
  }

  /**
   * A hash aggregation ({@code HashAggregate}) behind its governor: reads its whole input,
   * spilling partial states when its table outgrows its budget, then emits one row per group.
   *
   * @param input the stage it reads from
   * @param node the logical aggregation
   */
  record AggregateStage(PhysicalPlan input, GroupAggregate node) implements PhysicalPlan {
    /** Checks the arguments. */
    public AggregateStage {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(node, "node");
    }

    @Override
    public String name() {
      return node.describe();
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(input);
    }

    @Override
    public String describe() {
      return "HashAggregate " + name();
    }
  }

  /**
   * A function over each whole group ({@code MapGroups}) behind its governor: reads its whole
   * input hash-partitioned by key (spilling beyond its budget), then calls the function once
   * per group.
   *
   * @param input the stage it reads from
   * @param node the logical group map
   */
  record MapGroupsStage(PhysicalPlan input, GroupMap node) implements PhysicalPlan {
    /** Checks the arguments. */
    public MapGroupsStage {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(node, "node");
    }

    @Override
    public String name() {
      return node.describe();
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(input);
    }

    @Override
    public String describe() {
      return name();
    }
  }

  /**
   * A hash join ({@code HashJoin}): the right (build) input behind a governor of its own
   * account, then the left (probe) input behind the join's governor; broadcast when the build
   * side fits its budget, partitioned (grace) with spills otherwise.
   *
   * @param left the stage of the left input
   * @param right the stage of the right input
   * @param node the logical join
   */
  record JoinStage(PhysicalPlan left, PhysicalPlan right, Join node) implements PhysicalPlan {
    /** Checks the arguments. */
    public JoinStage {
      Objects.requireNonNull(left, "left");
      Objects.requireNonNull(right, "right");
      Objects.requireNonNull(node, "node");
    }

    @Override
    public String name() {
      return node.describe();
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(left, right);
    }

    @Override
    public String describe() {
      return "HashJoin " + name();
    }
  }

  /**
   * A zip ({@code dev.tributary.operators.Zip}): each input behind a governor of its own account,
   * re-cut to aligned row ranges and joined column-wise, streaming.
   *
   * @param left the stage of the left input
   * @param right the stage of the right input
   */
  record ZipStage(PhysicalPlan left, PhysicalPlan right) implements PhysicalPlan {
    /** Checks the arguments. */
    public ZipStage {
      Objects.requireNonNull(left, "left");
      Objects.requireNonNull(right, "right");
    }

    @Override
    public String name() {
      return "Zip";
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(left, right);
    }

    @Override
    public String describe() {
      return name();
    }
  }

  /**
   * A pipeline break behind its governor: the input goes through an exchange (held in an account
   * of its own up to a share of the memory limit, spilled beyond it), then streams out.
   *
   * @param input the stage it reads from
   * @param node the logical operator: {@link dev.tributary.plan.Sort}, {@link
   *     dev.tributary.plan.Shuffle}, {@link dev.tributary.plan.BlockShuffle} or {@link
   *     dev.tributary.plan.Repartition}
   */
  record ExchangeStage(PhysicalPlan input, LogicalPlan node) implements PhysicalPlan {
    /** Checks the node. */
    public ExchangeStage {
      Objects.requireNonNull(input, "input");
      if (!(node instanceof Sort || node instanceof Shuffle || node instanceof BlockShuffle
          || node instanceof Repartition)) {
        throw new IllegalArgumentException("not an exchange operator: " + node.describe());
      }
    }

    @Override
    public String name() {
      return node.describe();
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(input);
    }

    @Override
    public String describe() {
      return (node instanceof Sort ? "ExternalSort " : node instanceof Shuffle
          ? "RandomShuffle " : node instanceof BlockShuffle ? "" : "Repartition ") + name();
    }
  }

  /**
   * The first rows of its input; cancels upstream once they passed. No account.
   *
   * @param input the stage it reads from
   * @param rows the most rows
   */
  record LimitStage(PhysicalPlan input, long rows) implements PhysicalPlan {
    @Override
    public String name() {
      return "Limit[" + rows + "]";
    }

    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(input);
    }

    @Override
    public String describe() {
      return name();
    }
  }

  /**
   * Its inputs one after the other. No account.
   *
   * @param inputs the stages it reads from
   */
  record UnionStage(List<PhysicalPlan> inputs) implements PhysicalPlan {
    /** Copies the inputs. */
    public UnionStage {
      inputs = List.copyOf(inputs);
    }

    @Override
    public String name() {
      return "Union";
    }

    @Override
    public String describe() {
      return "Union of:";
    }
  }

  /**
   * The end of the pipeline: the consumer's boundary ({@code Output}), or a sink. Blocks handed
   * on are charged to its account until the consumer or sink takes them.
   *
   * @param input the stage it reads from
   * @param name {@code Output}, or the sink's name
   * @param sink the sink the blocks go to (writing on the I/O scheduler it is given), or null
   *     when a consumer takes them
   */
  record OutputStage(PhysicalPlan input, String name,
      BiFunction<Flux<Block>, Scheduler, Mono<WriteSummary>> sink)
      implements PhysicalPlan {
    @Override
    public List<PhysicalPlan> inputs() {
      return List.of(input);
    }

    @Override
    public String describe() {
      return sink == null ? name : "Write " + name;
    }
  }
}
