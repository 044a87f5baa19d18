/**
 * What every system's benchmark runner shares: the data spec ({@link
 * dev.tributary.bench.kit.BenchSpec}), timing with peak RSS ({@link
 * dev.tributary.bench.kit.Harness}), the W4 training-feed consumer ({@link
 * dev.tributary.bench.kit.ShuffleSum}) and result files. No dependencies: each peer (Spark,
 * DuckDB, Tributary) puts this next to its own class path.
 */
package dev.tributary.bench.kit;
