package dev.tributary.exec;

import dev.tributary.exec.PhysicalPlan.AggregateStage;
import dev.tributary.exec.PhysicalPlan.ExchangeStage;
import dev.tributary.exec.PhysicalPlan.FlatMapStage;
import dev.tributary.exec.PhysicalPlan.JoinStage;
import dev.tributary.exec.PhysicalPlan.LimitStage;
import dev.tributary.exec.PhysicalPlan.MapGroupsStage;
import dev.tributary.exec.PhysicalPlan.MapStage;
import dev.tributary.exec.PhysicalPlan.OutputStage;
import dev.tributary.exec.PhysicalPlan.PoolStage;
import dev.tributary.exec.PhysicalPlan.ReadStage;
import dev.tributary.exec.PhysicalPlan.UnionStage;
import dev.tributary.exec.PhysicalPlan.ZipStage;
import dev.tributary.expr.Evaluation;
import dev.tributary.gpu.GpuCompute;
import dev.tributary.operators.BlockTransform;
import dev.tributary.plan.BlockShuffle;
import dev.tributary.plan.Evaluate;
import dev.tributary.plan.Filter;
import dev.tributary.plan.FlatMap;
import dev.tributary.plan.GroupAggregate;
import dev.tributary.plan.GroupMap;
import dev.tributary.plan.Join;
import dev.tributary.plan.Limit;
import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.MapBatches;
import dev.tributary.plan.MapRows;
import dev.tributary.plan.PooledMapBatches;
import dev.tributary.plan.Project;
import dev.tributary.plan.Read;
import dev.tributary.plan.Rebatch;
import dev.tributary.plan.Repartition;
import dev.tributary.plan.Sample;
import dev.tributary.plan.Shuffle;
import dev.tributary.plan.Sort;
import dev.tributary.plan.Union;
import dev.tributary.plan.Write;
import dev.tributary.plan.Zip;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a logical plan into stages: each read, flat map, worker pool, aggregation, join, zip,
 * exchange operator (sort, shuffle, block shuffle, repartition), limit and union becomes its
 * own; runs of one-to-one operators are fused ({@link Fusion}), adjacent expression steps into one {@link
 * Evaluation}; the root ends in the consumer's boundary, or in the sink of a {@link Write}.
 */
public final class PhysicalPlanner {
  /** The consumer's boundary's name. */
  public static final String OUTPUT = "Output";

  private PhysicalPlanner() {}

  /**
   * The stages of {@code plan}.
   *
   * @param fuse whether adjacent one-to-one operators fuse
   * @throws IllegalArgumentException if a {@link Write} is not the plan's root
   */
  public static PhysicalPlan plan(LogicalPlan plan, boolean fuse) {
    return plan(plan, fuse, fuse);
  }

  /**
   * The stages of {@code plan}, a global aggregation over a read fused into the read ({@link
   * ScanAggregate}) only when {@code scanAggregates} (a distributed engine aggregates each split
   * its own way).
   *
   * @param fuse whether adjacent one-to-one operators fuse
   * @throws IllegalArgumentException if a {@link Write} is not the plan's root
   */
  public static PhysicalPlan plan(LogicalPlan plan, boolean fuse, boolean scanAggregates) {
    Planner planner = new Planner(fuse, scanAggregates);
    if (plan instanceof Write w) {
      PhysicalPlan input = planner.build(w.input());
      return new OutputStage(input, w.name(), w.sink());
    }
    PhysicalPlan input = planner.build(plan);
    return new OutputStage(input, OUTPUT, null);
  }

  /** Builds stages as the planning options say. */
  private record Planner(boolean fuse, boolean scanAggregates) {
    private PhysicalPlan build(LogicalPlan node) {
      if (node instanceof Read r) {
        return new ReadStage(r);
      }
      if (node instanceof FlatMap f) {
        PhysicalPlan input = build(f.input());
        return new FlatMapStage(input, f);
      }
      if (node instanceof PooledMapBatches p) {
        PhysicalPlan input = build(p.input());
        return new PoolStage(input, p);
      }
      if (node instanceof GroupAggregate a) {
        GroupAggregate fused = scanAggregates ? ScanAggregate.fuse(a) : null;
        if (fused != null) {
          return new AggregateStage(new ReadStage((Read) fused.input()), fused);
        }
        PhysicalPlan input = build(a.input());
        return new AggregateStage(input, a);
      }
      if (node instanceof GroupMap g) {
        return new MapGroupsStage(build(g.input()), g);
      }
      if (node instanceof Join j) {
        return new JoinStage(build(j.left()), build(j.right()), j);
      }
      if (node instanceof Limit l) {
        return new LimitStage(build(l.input()), l.rows());
      }
      if (node instanceof Union u) {
        return new UnionStage(u.inputs().stream().map(this::build).toList());
      }
      if (node instanceof Zip z) {
        return new ZipStage(build(z.left()), build(z.right()));
      }
      if (node instanceof Sort || node instanceof Shuffle || node instanceof BlockShuffle
          || node instanceof Repartition) {
        PhysicalPlan input = build(node.inputs().get(0));
        return new ExchangeStage(input, node);
      }
      if (node instanceof Write) {
        throw new IllegalArgumentException("a write must be the root of its plan");
      }
      List<LogicalPlan> chain = new ArrayList<>();
      LogicalPlan base = node;
      while (isOneToOne(base)) {
        chain.add(0, base);
        base = base.inputs().get(0);
      }
      PhysicalPlan stage = build(base);
      for (List<LogicalPlan> ops : Fusion.stages(chain, fuse)) {
        stage = stage(stage, ops);
      }
      return stage;
    }
  }

  private static boolean isOneToOne(LogicalPlan node) {
    return node instanceof Project || node instanceof Evaluate || node instanceof Filter
        || node instanceof MapRows || node instanceof MapBatches || node instanceof Rebatch
        || node instanceof Sample;
  }

  /** One fused stage of {@code ops} over {@code input}. */
  private static MapStage stage(PhysicalPlan input, List<LogicalPlan> ops) {
    LogicalPlan head = ops.get(0);
    int rebatchRows = head instanceof Rebatch r ? r.rows()
        : head instanceof MapBatches m ? m.batchSize() : 0;
    int concurrency = head instanceof MapBatches m ? m.concurrency() : 1;
    GpuCompute gpu = head instanceof MapBatches m ? m.gpu() : null;
    boolean blocking = head instanceof MapBatches m && m.blocking();
    BlockTransform transform = null;
    // Adjacent expression steps join into one evaluation: one pass per block, one copy.
    Evaluation pending = null;
    for (LogicalPlan op : ops) {
      BlockTransform next = transform(op);
      if (next instanceof Evaluation e) {
        pending = pending == null ? e : pending.then(e);
      } else if (next != null) {
        transform = append(append(transform, pending), next);
        pending = null;
      }
    }
    transform = append(transform, pending);
    // A re-cut alone still runs through MapBlocks, which counts and hands on its blocks.
    BlockTransform fused = transform != null ? transform : (in, out) -> in;
    return new MapStage(input, ops.stream().map(LogicalPlan::describe).toList(), fused,
        rebatchRows, concurrency, gpu, blocking);
  }

  private static BlockTransform append(BlockTransform first, BlockTransform next) {
    return next == null ? first : first == null ? next : first.andThen(next);
  }

  /** What {@code op} does to each block, or null for a re-cut (its stage does that). */
  private static BlockTransform transform(LogicalPlan op) {
    if (op instanceof Project p) {
      return p.mapping();
    }
    if (op instanceof Filter f) {
      return f.transform();
    }
    if (op instanceof Evaluate e) {
      return e.evaluation();
    }
    if (op instanceof MapRows m) {
      return m.transform();
    }
    if (op instanceof MapBatches m) {
      return m.transform();
    }
    if (op instanceof Sample s) {
      return s.transform(); // fresh per physical plan, so per execution
    }
    return null;
  }
}
