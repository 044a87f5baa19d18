package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.nio.file.Path;
import java.util.List;

/**
 * The columns a Parquet read adds to what it decodes from a file: the file's partition values,
 * placed where a projection asked for them, then its {@code path} on request.
 *
 * @param partitions the partition columns of the source's files
 * @param order the output columns before {@code path} when a projection names partition columns
 *     (file and partition columns in the order asked), or null for the file's columns then every
 *     partition column
 * @param includePaths whether a {@code path} column comes last
 */
record AddedColumns(HivePartitions partitions, List<String> order, boolean includePaths) {
  /**
   * {@code block}, decoded from {@code file}, with the added columns, charged to {@code account};
   * the input block is spent either way.
   */
  Block apply(Block block, Path file, Account account) {
    Block out = partitions.append(block, file);
    if (order != null) {
      out = BlockColumns.project(out, order, account);
    }
    return includePaths ? PathColumn.append(out, file.toString(), account) : out;
  }
}
