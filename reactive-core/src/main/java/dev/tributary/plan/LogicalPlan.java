package dev.tributary.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A node of a dataset's logical plan: what to compute, not how. Nodes are immutable values shared
 * between the datasets derived from them; {@code Dataset} builds them, the {@link Optimizer}
 * rewrites them, and the physical planner ({@code dev.tributary.exec}) turns them into stages.
 *
 * <p>The node types are closed: a read ({@link Read}, with what was pushed into it), column
 * reshaping ({@link Project}), computed columns ({@link Evaluate}), row filters ({@link
 * Filter}), opaque user functions ({@link MapRows}, {@link MapBatches}, {@link PooledMapBatches},
 * {@link FlatMap}), {@link Sample}, re-cutting ({@link Rebatch}), {@link Limit}, {@link Union},
 * sinks ({@link Write}), and pipeline breakers: aggregations ({@link GroupAggregate}), group
 * functions ({@link GroupMap}), joins ({@link Join}), {@link Zip}, and those run through an
 * exchange ({@link Sort}, {@link Shuffle}, {@link BlockShuffle}, {@link Repartition}). Those that
 * keep their input's columns share {@link SameColumns}.
 */
public sealed interface LogicalPlan
    permits Read, Project, Evaluate, MapRows, MapBatches, PooledMapBatches, FlatMap, Union,
    GroupAggregate, GroupMap, Join, Zip, SameColumns {

  /** The output schema if known without running (a file source may read metadata), else null. */
  Schema schema();

  /**
   * The output column names, in order, if known without running (they may be known when the
   * types are not, as after {@code withColumn}), else null.
   */
  List<String> columns();

  /** The nodes this one reads from, in order (none for a read). */
  List<LogicalPlan> inputs();

  /**
   * The same node over other inputs, as many as {@link #inputs()}: how rules rebuild a plan.
   *
   * @throws IllegalArgumentException if the number of inputs differs
   */
  LogicalPlan withInputs(List<LogicalPlan> inputs);

  /** A one-line description for {@code explain()}. */
  String describe();

  /** The plan as an indented tree, output first, one node per line. */
  static String explain(LogicalPlan plan) {
    StringBuilder sb = new StringBuilder();
    explain(plan, 0, sb);
    return sb.toString();
  }

  private static void explain(LogicalPlan node, int depth, StringBuilder sb) {
    sb.append("  ".repeat(depth)).append(depth == 0 ? "" : "<- ").append(node.describe())
        .append('\n');
    node.inputs().forEach(input -> explain(input, depth + 1, sb));
  }
}
