package dev.tributary.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A node with one input whose rows it may keep, drop, reorder or re-cut, or write, but whose
 * columns it leaves as they are: its schema and column names are its input's.
 */
public sealed interface SameColumns extends LogicalPlan
    permits BlockShuffle, Filter, Limit, Rebatch, Repartition, Sample, Shuffle, Sort, Write {
  /** The one input. */
  LogicalPlan input();

  /** The input's schema (null when it is known only by running). */
  @Override
  default Schema schema() {
    return input().schema();
  }

  /** The input's column names. */
  @Override
  default List<String> columns() {
    return input().columns();
  }

  @Override
  default List<LogicalPlan> inputs() {
    return List.of(input());
  }
}
