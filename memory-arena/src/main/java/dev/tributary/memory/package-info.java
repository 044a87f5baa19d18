/**
 * Off-heap memory for Tributary: every byte a pipeline holds lives in an {@link
 * dev.tributary.memory.Arena} (one per execution, a hard limit) and is charged to the {@link
 * dev.tributary.memory.Account} of the operator holding it.
 *
 * <p>{@link dev.tributary.memory.Block} is the unit that flows: an immutable Arrow record batch
 * owned by one account, moved zero-copy with {@code transferTo}, released with {@code close}.
 * {@link dev.tributary.memory.BlockBuilder} makes blocks from Java arrays for sources and tests.
 * {@link dev.tributary.memory.Schemas} holds the rules every schema follows (unique column names;
 * null-typed columns unified with the others). An {@link dev.tributary.memory.AccountGroup} is
 * one execution's accounts, measured together.
 * {@link dev.tributary.memory.SpillStore} parks blocks on disk (Chronicle Map, Arrow IPC) when a
 * stateful operator outgrows its budget.
 *
 * <p>This package depends on Apache Arrow and Chronicle Map only; no Reactor types.
 */
package dev.tributary.memory;
