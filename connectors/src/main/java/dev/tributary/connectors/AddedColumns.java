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

  /**
   * About how many bytes the added columns take per row of {@code file} (blocks are cut with
   * them counted): a string value's bytes plus an offset, else a long, and a validity bit each.
   */
  double bytesPerRow(Path file) {
    double bytes = 0;
    for (Object value : partitions.isEmpty() ? new Object[0] : partitions.values(file)) {
      bytes += (value instanceof String s ? s.length() + Integer.BYTES : Long.BYTES) + 0.125;
    }
    return includePaths ? bytes + file.toString().length() + Integer.BYTES + 0.125 : bytes;
  }
}
