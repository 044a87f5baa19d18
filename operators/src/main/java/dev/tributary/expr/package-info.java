/**
 * Column expressions the engine understands: {@link dev.tributary.expr.Expr} builds them
 * ({@code col("x").times(2).plus(col("y"))}), {@link dev.tributary.expr.Evaluation} types them
 * against a schema before anything runs and evaluates a fused chain of them (filters, new
 * columns, selections) over each block in one pass: columns are read once into primitive arrays
 * and validity bitmaps, every operator is a tight loop over them, and a filter narrows a
 * selection so the columns that survive it are copied once.
 *
 * <p>Types: integers compute as {@link dev.tributary.expr.ExprType#INT64}, floating point as
 * {@link dev.tributary.expr.ExprType#FLOAT64}, plus {@code BOOLEAN}, {@code UTF8}, dates and
 * timestamps (as days and microseconds in longs: parts and truncation are epoch arithmetic, a
 * zone's offsets resolved once per block), and lists and structs (element, size and field
 * access over Arrow's offsets and child columns). Nulls follow
 * SQL: an operator over a null is null, {@code and}/{@code or} use three-valued logic, a filter
 * keeps the rows whose predicate is true. Depends on memory-arena and operators only.
 */
package dev.tributary.expr;
