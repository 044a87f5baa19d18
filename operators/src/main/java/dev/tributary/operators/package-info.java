/**
 * Physical operators: Reactor transformers over {@code Flux<Block>} ({@code
 * Function<Flux<Block>, Flux<Block>>}) that application code can apply to its own fluxes with
 * {@code transform}: {@link dev.tributary.operators.MapBlocks} (streaming one-to-one work, inline
 * or on a task pool), {@link dev.tributary.operators.Limit}, {@link
 * dev.tributary.operators.Rebatch}, {@link dev.tributary.operators.Union}; plus the block/row/batch
 * conversions user functions see ({@link dev.tributary.operators.Rows}, {@link
 * dev.tributary.operators.Batches}) and per-operator counters ({@link
 * dev.tributary.operators.OperatorStats}).
 *
 * <p>Every operator moves the blocks it takes into its own account and closes what it drops
 * (discard hooks), so a cancelled or failed stream leaves no memory behind. Depends on
 * memory-arena and Reactor only.
 */
package dev.tributary.operators;
