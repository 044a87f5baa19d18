/**
 * Everything in Tributary that knows Arrow column types: the mapping between Java values and
 * Arrow slots ({@link dev.tributary.columnar.JavaValues}), blocks built from Java arrays ({@link
 * dev.tributary.columnar.BlockBuilder}) and read back ({@link dev.tributary.columnar.ColumnReader}),
 * the rules every schema follows ({@link dev.tributary.columnar.Schemas}), and the block kernels
 * operators and connectors share ({@link dev.tributary.columnar.Kernels}: take, project, zip,
 * concat, copy, slice copy).
 *
 * <p>Per-type behaviour lives in one table, {@link dev.tributary.columnar.ColumnType}: a column's
 * entry is resolved once from its Arrow type, then a loop runs over the rows with no further type
 * tests. A new type is one entry.
 *
 * <p>This package depends on {@code dev.tributary.memory} (blocks, accounts, errors) and Apache
 * Arrow only; operators and connectors depend on it, never the other way round.
 */
package dev.tributary.columnar;
