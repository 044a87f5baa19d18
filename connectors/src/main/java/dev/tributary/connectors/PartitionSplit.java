package dev.tributary.connectors;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.columnar.ColumnType;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Cuts a block into the rows of each partition of a partitioned write: each row's directory
 * ({@code k1=v1/k2=v2}, see {@link HivePath}), then per directory a block of its rows without the
 * partition columns, as Spark writes them (the values live in the directory names).
 */
final class PartitionSplit {
  private PartitionSplit() {}

  /** One partition's rows of a block: its directory and the row indexes {@code [0, count)}. */
  record Group(String directory, int[] rows, int count) {
    private boolean contiguous() {
      return rows[count - 1] - rows[0] + 1 == count;
    }
  }

  /** One directory's row indexes as they are found. */
  private static final class Collecting {
    private final String directory;
    private int[] rows = new int[8];
    private int count;

    Collecting(String directory) {
      this.directory = directory;
    }

    void add(int r) {
      if (count == rows.length) {
        rows = Arrays.copyOf(rows, count * 2);
      }
      rows[count++] = r;
    }

    Group group() {
      return new Group(directory, rows, count);
    }
  }

  /**
   * The schema of the files: {@code schema} without the partition columns.
   *
   * @throws ColumnException if a partition column is missing, has a type a directory name cannot
   *     hold exactly (floating point, binary, nested), or no column would be left for the files
   */
  static Schema fileSchema(Schema schema, List<String> partitionBy) {
    List<String> names = schema.getFields().stream().map(Field::getName).toList();
    for (String key : partitionBy) {
      Field f = schema.getFields().stream().filter(x -> x.getName().equals(key)).findFirst()
          .orElseThrow(() -> new ColumnException(key, "is not a column to partition by; the"
              + " columns are " + names));
      // A null-typed column (null in every row so far) writes the default partition; the type a
      // later block gives it is checked then.
      boolean named = switch (ColumnType.of(f)) {
        case NULL, INT8, INT16, INT32, INT64, UTF8, BOOL, DATE_DAY, TIMESTAMP_ZONED,
            TIMESTAMP_LOCAL, DECIMAL -> true;
        default -> false;
      };
      if (!named) {
        throw new ColumnException(key, "is " + f.getType() + "; partition columns must be integers,"
            + " strings, booleans, dates, timestamps or decimals (their text is a directory"
            + " name)");
      }
    }
    List<Field> kept = schema.getFields().stream()
        .filter(f -> !partitionBy.contains(f.getName())).toList();
    if (kept.isEmpty()) {
      throw new ColumnException(partitionBy.get(0), "partitioning by every column leaves no"
          + " column for the files; keep at least one column out of partitionBy");
    }
    return new Schema(kept);
  }

  /** The rows of {@code block} grouped by directory, in order of first appearance. */
  static List<Group> groups(Block block, List<String> partitionBy) {
    int rows = block.rowCount();
    Object[][] columns = new Object[partitionBy.size()][];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = ColumnReader.values(block, partitionBy.get(c));
    }
    Map<String, Collecting> groups = new LinkedHashMap<>();
    Object[] previous = null;
    Collecting group = null;
    for (int r = 0; r < rows; r++) {
      Object[] values = new Object[columns.length];
      for (int c = 0; c < columns.length; c++) {
        values[c] = columns[c][r];
      }
      // Rows usually come clustered by partition: look a group up only when the values change.
      if (!Arrays.equals(values, previous)) {
        group = groups.computeIfAbsent(directory(partitionBy, values), Collecting::new);
        previous = values;
      }
      group.add(r);
    }
    return groups.values().stream().map(Collecting::group).toList();
  }

  private static String directory(List<String> partitionBy, Object[] values) {
    StringBuilder out = new StringBuilder();
    for (int c = 0; c < values.length; c++) {
      if (c > 0) {
        out.append('/');
      }
      out.append(HivePath.segment(partitionBy.get(c), values[c]));
    }
    return out.toString();
  }

  /**
   * The rows of {@code group} with only {@code fileColumns}, in the block's account: a zero-copy
   * slice when the rows are contiguous, else a copy. The input block stays open.
   */
  static Block rows(Block block, Group group, List<String> fileColumns) {
    if (group.contiguous()) {
      return BlockColumns.project(block.slice(group.rows()[0], group.count()), fileColumns,
          block.owner());
    }
    return Blocks.take(block, fileColumns, group.rows(), group.count(), block.owner());
  }
}
