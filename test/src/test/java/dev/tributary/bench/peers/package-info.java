/**
 * The side-by-side benchmark (issue #6) and the Parquet read/write benchmark (issue #5): the
 * data generator, the Tributary runner, the raw parquet-mr to Arrow runner and the driver that
 * launches every system's runner in its own JVM. Spark and DuckDB runners live in
 * {@code test/peers/*}, the shared kit in {@code test/bench-kit}; may use everything Tributary
 * and parquet-mr offer.
 */
package dev.tributary.bench.peers;
