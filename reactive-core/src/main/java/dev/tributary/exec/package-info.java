/**
 * The physical plan: the stages an execution runs ({@link dev.tributary.exec.PhysicalPlan}), each
 * with its name, account and governor, its operator and, for a read, what was pushed into it;
 * built from an optimized logical plan by {@link dev.tributary.exec.PhysicalPlanner}, which fuses
 * adjacent one-to-one operators into one stage. The executor and {@code Dataset.explain()} both
 * render this one tree.
 *
 * <p>Depends on {@code dev.tributary.plan}, operators and connectors; not on {@code
 * dev.tributary}. (The executor itself still lives in {@code dev.tributary}, beside the
 * runtime and context it runs with.)
 */
package dev.tributary.exec;
