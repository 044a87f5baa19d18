/**
 * Cross-module integration tests: the memory-governance proofs, Parquet through the Dataset API,
 * and the workloads the benchmarks share with them.
 */
package dev.tributary.it;
