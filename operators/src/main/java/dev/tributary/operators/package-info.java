/**
 * Physical operators: Reactor transformers over {@code Flux<Block>} ({@code
 * Function<Flux<Block>, Flux<Block>>}) that application code can apply to its own fluxes with
 * {@code transform}: {@link dev.tributary.operators.MapBlocks} (streaming one-to-one work, inline
 * or on a task pool), {@link dev.tributary.operators.WorkerPool} (stateful one-to-one work: one
 * instance per worker, scaled between bounds), {@link dev.tributary.operators.Limit}, {@link
 * dev.tributary.operators.Rebatch}, {@link dev.tributary.operators.Union}, block sizing ({@link
 * dev.tributary.operators.SplitBlocks}, {@link dev.tributary.operators.CoalesceBlocks}); plus the
 * block/row/batch conversions user functions see ({@link dev.tributary.operators.Rows}, {@link
 * dev.tributary.operators.Batches}) and per-operator counters ({@link
 * dev.tributary.operators.OperatorStats}, with what an operator spilled: {@link
 * dev.tributary.operators.SpillStats}).
 *
 * <p>Pipeline breakers (subpackages {@code aggregate} and {@code join}) share the pieces here:
 * {@link dev.tributary.operators.HashPartitioner} (the one place blocks are cut by key hash),
 * {@link dev.tributary.operators.PartitionedBlocks} (partitions held up to a budget, then
 * spilled), {@link dev.tributary.operators.SpillPartitions} (blocks on disk by partition, in a
 * {@code SpillStore}), {@link dev.tributary.operators.RunGuard} (a run's steps against a
 * cancel) and the key tables that group and join without an object per key ({@link
 * dev.tributary.operators.LongIdTable} for one integer-like key, {@link
 * dev.tributary.operators.ByteKeyTable} for the normalised bytes {@link
 * dev.tributary.operators.KeyBytes} makes of other keys).
 *
 * <p>Memory governance is split into mechanism and policy: the {@link
 * dev.tributary.operators.Governor} on an operator's input gathers what the operator's account
 * holds and what its stage has in hand ({@link dev.tributary.operators.StageLoad}), asks the pure
 * {@link dev.tributary.operators.CreditPolicy} how many blocks to request, and waits for room
 * signals, never polling.
 *
 * <p>Every operator moves the blocks it takes into its own account and closes what it drops
 * (discard hooks), so a cancelled or failed stream leaves no memory behind. Blocks crossing
 * threads (task and worker pools, pipeline breakers' inputs and outputs) go through memory-arena's
 * {@link dev.tributary.memory.HandOff}; the two one-to-one pools share {@code StageCall} (the call
 * on one block and the pooled fan-out). Depends on
 * memory-arena, columnar (values, builders, block kernels) and Reactor only.
 */
package dev.tributary.operators;
