package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.BlockBuilder;
import java.lang.reflect.Array;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
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
      batch.put(field.getName(), column(block, field));
    }
    return batch;
  }

  /** Builds a block in {@code out} from a column batch. */
  public static Block write(Map<String, Object> batch, Account out) {
    BlockBuilder builder = Block.builder(out);
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

  /** One column of {@code block} as its Java array. */
  static Object column(Block block, Field field) {
    String name = field.getName();
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Utf8) {
      return block.strings(name);
    } else if (type instanceof ArrowType.Binary) {
      return block.binaries(name);
    } else if (type instanceof ArrowType.FixedSizeList
        && field.getChildren().get(0).getType().equals(
            new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))) {
      return block.tensors(name);
    }
    if (!field.isNullable()) {
      if (type instanceof ArrowType.Int i && i.getBitWidth() == 64) {
        return block.longs(name);
      } else if (type instanceof ArrowType.Int i && i.getBitWidth() == 32) {
        return block.ints(name);
      } else if (type instanceof ArrowType.FloatingPoint f) {
        return f.getPrecision() == FloatingPointPrecision.DOUBLE
            ? block.doubles(name) : block.floats(name);
      } else if (type instanceof ArrowType.Bool) {
        return block.booleans(name);
      }
    }
    Object[] boxed = block.values(name);
    Object typed = Array.newInstance(boxedClass(type), boxed.length);
    System.arraycopy(boxed, 0, typed, 0, boxed.length);
    return typed;
  }

  private static Class<?> boxedClass(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return switch (i.getBitWidth()) {
        case 64 -> Long.class;
        case 32 -> Integer.class;
        case 16 -> Short.class;
        default -> Byte.class;
      };
    } else if (type instanceof ArrowType.Date) {
      return java.time.LocalDate.class;
    } else if (type instanceof ArrowType.Timestamp t) {
      return t.getTimezone() == null ? java.time.LocalDateTime.class : java.time.Instant.class;
    } else if (type instanceof ArrowType.Decimal) {
      return java.math.BigDecimal.class;
    } else if (type instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() == FloatingPointPrecision.DOUBLE
          ? Double.class : Float.class;
    } else if (type instanceof ArrowType.Bool) {
      return Boolean.class;
    }
    return Object.class;
  }
}
