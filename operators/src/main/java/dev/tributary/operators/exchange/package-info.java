/**
 * The exchange: the pipeline-breaking building block of every all-to-all operator (sort,
 * shuffle, repartition, materialize; group-by and join later). An {@link
 * dev.tributary.operators.exchange.Exchange} consumes its input under its account's budget,
 * assigns each row a partition ({@link dev.tributary.operators.exchange.Partitioning}: hash,
 * range, random, single), spills partitions to a {@link dev.tributary.memory.SpillStore} when the
 * budget is reached, and hands back {@link dev.tributary.operators.exchange.Partitions} that read
 * each partition back as a stream of blocks, as often as needed, until closed.
 *
 * <p>{@link dev.tributary.operators.exchange.LocalExchange} is the in-process engine's; a
 * distributed engine implements the same two interfaces over its own shuffle. The operators
 * built on it ({@link dev.tributary.operators.exchange.ExternalSort}, {@link
 * dev.tributary.operators.exchange.RandomShuffle}, {@link
 * dev.tributary.operators.exchange.Repartition}, {@link
 * dev.tributary.operators.exchange.RandomizeBlockOrder}) see only the interfaces.
 *
 * <p>Depends on memory-arena (blocks, accounts, the spill store), the operators package (block
 * kernels, stats) and Reactor.
 */
package dev.tributary.operators.exchange;
