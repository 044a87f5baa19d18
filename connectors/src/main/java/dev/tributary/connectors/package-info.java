/**
 * Connectors: sources that read files into blocks and sinks that write blocks to files.
 * Parquet ({@link dev.tributary.connectors.ParquetSource}, {@link
 * dev.tributary.connectors.ParquetSink}) through parquet-mr on local files, with a minimal Hadoop
 * class path. Sources allocate in the account they are given and block on I/O (run them on an I/O
 * scheduler; {@link dev.tributary.connectors.ReadSettings} carries what an execution asks of a
 * read); Hive partition directories become columns ({@link
 * dev.tributary.connectors.Partitioning}). Sinks write atomically (a hidden staging directory,
 * published all or nothing) and can partition by columns. Bad input raises {@link
 * dev.tributary.connectors.CorruptInputException} naming the file and location, a path naming
 * nothing {@link dev.tributary.connectors.MissingInputException}, a target that cannot be written
 * {@link dev.tributary.connectors.WriteException}. Depends on memory-arena, columnar (the
 * per-type table each format's encoding switches on, block kernels), Reactor, parquet-mr.
 */
package dev.tributary.connectors;
