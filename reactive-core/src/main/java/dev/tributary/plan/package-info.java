/**
 * The logical plan and its optimizer. {@link dev.tributary.Dataset} builds a tree of typed,
 * immutable nodes ({@link dev.tributary.plan.LogicalPlan}: read, project, filter, map, map
 * batches, flat map, rebatch, limit, union, write, and the pipeline breakers: aggregate, group
 * map, join); a {@link dev.tributary.plan.Source} says
 * what it can take over from the plan above it ({@link dev.tributary.plan.Pushdown}: columns, a
 * filter, a limit), and the {@link dev.tributary.plan.Optimizer}'s rules push exactly that into
 * each {@link dev.tributary.plan.Read}. User functions are opaque: nothing is pushed through them
 * but a limit through one-row-per-row functions; below an aggregation only the columns it reads
 * are read.
 *
 * <p>For the engine ({@code dev.tributary.exec}) and for sources; applications use the {@code
 * Dataset} API. Depends on operators (block transforms, column mappings), connectors (read
 * settings, Parquet predicates, write summaries) and memory-arena; not on {@code dev.tributary}.
 */
package dev.tributary.plan;
