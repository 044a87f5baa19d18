package dev.tributary.exec;

import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.MapBatches;
import dev.tributary.plan.Rebatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The fusion rule: a run of adjacent one-to-one operators becomes one stage. A new stage starts
 * at an operator with stage options of its own (a {@link Rebatch}, or a {@link MapBatches} with a
 * batch size, a concurrency or GPUs), which the default operators after it join (but for a GPU
 * stage: its thread belongs to its device); with fusion off, at every operator.
 */
final class Fusion {
  private Fusion() {}

  /** The stages of {@code chain} (one-to-one operators, source side first). */
  static List<List<LogicalPlan>> stages(List<LogicalPlan> chain, boolean fuse) {
    List<List<LogicalPlan>> stages = new ArrayList<>();
    LogicalPlan previous = null;
    for (LogicalPlan op : chain) {
      // A GPU stage's thread is its device's: the operators after it run on the CPU again.
      if (stages.isEmpty() || !fuse || startsStage(op)
          || previous instanceof MapBatches m && m.gpu() != null) {
        stages.add(new ArrayList<>());
      }
      stages.get(stages.size() - 1).add(op);
      previous = op;
    }
    return stages;
  }

  /** Whether {@code op} has options that make it the head of its own stage. */
  static boolean startsStage(LogicalPlan op) {
    return op instanceof Rebatch || op instanceof MapBatches m && !m.isDefaultStage();
  }
}
