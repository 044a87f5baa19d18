/**
 * Aggregations and the hash aggregation operator: {@link
 * dev.tributary.operators.aggregate.Aggregate} describes one aggregation (Ray Data's names:
 * {@code count}, {@code sum}, {@code min}, {@code max}, {@code mean}, {@code std}, {@code var},
 * {@code absMax}, {@code unique}, {@code quantile}, or a {@link
 * dev.tributary.operators.aggregate.UserAggregate}); {@link
 * dev.tributary.operators.aggregate.HashAggregate} computes several at once per group of key
 * values (or over all rows), accumulating each block in tight loops over its Arrow buffers, and
 * when its table outgrows its account's budget spills the partial states of its largest hash
 * partitions to a {@link dev.tributary.memory.SpillStore}, keeping the others in memory; {@link dev.tributary.operators.aggregate.MapGroups} hands
 * each whole group to a function.
 *
 * <p>Nulls and NaN follow Ray Data: NaN counts as null; with {@code ignoreNulls} (the default
 * for every aggregation but {@code count}) nulls are skipped and a group with no value gets
 * null; without it, one null makes the result null.
 *
 * <p>Depends on memory-arena, the operators package and Reactor only.
 */
package dev.tributary.operators.aggregate;
