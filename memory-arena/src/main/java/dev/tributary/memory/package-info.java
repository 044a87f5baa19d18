/**
 * Off-heap memory for Tributary: every byte a pipeline holds lives in an {@link
 * dev.tributary.memory.Arena} (one hard limit, usually one per process), inside the {@link
 * dev.tributary.memory.ExecutionScope} of its execution (capped; closing it releases and reports
 * what the execution left), and is charged to the {@link dev.tributary.memory.Account} of the
 * operator holding it.
 *
 * <p>{@link dev.tributary.memory.Block} is the unit that flows: an immutable Arrow record batch
 * owned by one account, moved zero-copy with {@code transferTo}, released with {@code close}.
 * Everything that knows column types (the Java value mapping, builders, typed readers, block
 * kernels) lives one layer up, in {@code dev.tributary.columnar}. A block handed out of an
 * execution to a receiver that never closes it is reclaimed by a cleaner once unreachable
 * ({@code BlockWatch}).
 * {@link dev.tributary.memory.SpillStore} parks blocks on disk (raw Arrow buffers appended to a
 * file, a Chronicle Map as the catalogue) when a stateful operator outgrows its budget.
 *
 * {@link dev.tributary.memory.HandOff} is the one hand-off of blocks between threads: a block in
 * transit belongs to it, and what a cancel or an error strands there is released.
 *
 * <p>This package depends on Apache Arrow and Chronicle Map, and on Reactor only for the
 * hand-off's stream shapes; no per-type code beyond what accounting needs.
 */
package dev.tributary.memory;
