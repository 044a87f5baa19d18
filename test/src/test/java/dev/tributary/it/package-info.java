/**
 * Cross-module integration tests: the memory-governance proofs, Parquet through the Dataset API,
 * the workloads the benchmarks share with them, the seeded round-trip property test of every
 * writer and reader against DuckDB ({@code RoundTripPropertyTest}, with {@code RandomTables},
 * {@code DuckDb} and {@code RowDiff}), and the files Spark writes ({@code SparkFilesTest}).
 */
package dev.tributary.it;
