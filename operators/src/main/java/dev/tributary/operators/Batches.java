package dev.tributary.operators;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.lang.reflect.Array;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Converts between blocks and column batches: a {@code Map<String, Object>} from column name to
 * a Java array, the NumPy-like batch format of {@code mapBatches}.
 *
 * <p>A non-nullable column reads as a primitive array ({@code long[]}, {@code int[]}, {@code
 * double[]}, {@code float[]}, {@code boolean[]}), a nullable one as the boxed array; utf8 as
 * {@code String[]}, binary as {@code byte[][]}, tensors as {@code float[][]}, dates, timestamps
 * and decimals as {@code LocalDate[]}, {@code Instant[]} (or {@code LocalDateTime[]} without a
 * zone) and {@code BigDecimal[]}, anything else as {@code Object[]}. Writing accepts what {@link
 * BlockBuilder} accepts.
 */
public final class Batches {
  private Batches() {}

  /** The block's columns as Java arrays, in schema order. */
  public static Map<String, Object> read(Block block) {
    Map<String, Object> batch = new LinkedHashMap<>();
    for (Field field : block.schema().getFields()) {
      batch.put(field.getName(), ColumnReader.array(block, field.getName()));
    }
    return batch;
  }

  /** One column of the block as a Java array, as {@link #read} gives it. */
  public static Object column(Block block, String name) {
    return ColumnReader.array(block, name);
  }

  /** Builds a block in {@code out} from a column batch. */
  public static Block write(Map<String, Object> batch, Account out) {
    BlockBuilder builder = BlockBuilder.in(out);
    batch.forEach(builder::column);
    return builder.build();
  }

  /** The number of rows of a column batch (0 when it has no columns). */
  public static int rowCount(Map<String, Object> batch) {
    for (Object column : batch.values()) {
      return Array.getLength(column);
    }
    return 0;
  }
}
