/** The DuckDB runner of the side-by-side benchmark; uses only DuckDB's JDBC driver and the kit. */
package dev.tributary.bench.duckdb;
