/**
 * Hash joins: {@link dev.tributary.operators.join.HashJoin} joins a probe (left) input with a
 * build (right) input on equal key columns, for every {@link dev.tributary.operators.join.JoinType}
 * (inner, left, right, full outer, semi, anti). The build side is hash-partitioned as it comes
 * ({@link dev.tributary.operators.PartitionedBlocks}); when it fits its budget it is broadcast
 * (one hash table, the probe side streamed through it), otherwise both sides are partitioned to
 * disk and joined partition by partition (grace hash join). Null keys never match.
 *
 * <p>Depends on memory-arena, the operators package and Reactor only.
 */
package dev.tributary.operators.join;
