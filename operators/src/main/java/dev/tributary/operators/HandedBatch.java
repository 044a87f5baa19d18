package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A column batch handed to a user function, remembering what it handed out so that columns the
 * function returns unchanged keep their Arrow vectors (zero-copy) instead of being encoded anew.
 *
 * <p>A column counts as unchanged when the function returns the very array it was handed, under
 * the same name, with the same contents as when handed (compared with a copy taken then, so
 * in-place edits are seen). Only arrays whose elements cannot change in place qualify: primitive
 * arrays and arrays of strings, boxed numbers, booleans, dates, instants, date-times and decimals.
 */
public final class HandedBatch {
  private static final Set<Class<?>> IMMUTABLE_ELEMENTS = Set.of(long[].class, int[].class,
      double[].class, float[].class, boolean[].class, short[].class, byte[].class,
      String[].class, Long[].class, Integer[].class, Double[].class, Float[].class,
      Boolean[].class, Short[].class, Byte[].class, LocalDate[].class, Instant[].class,
      LocalDateTime[].class, BigDecimal[].class);

  private final Block block;
  private final Map<String, Object> batch;
  private final Map<String, Object> copies = new LinkedHashMap<>();

  private HandedBatch(Block block) {
    this.block = block;
    this.batch = Batches.read(block);
    batch.forEach((name, array) -> {
      if (IMMUTABLE_ELEMENTS.contains(array.getClass())) {
        copies.put(name, copyOf(array));
      }
    });
  }

  /** The column batch of {@code block} (see {@link Batches#read}), remembered. */
  public static HandedBatch of(Block block) {
    return new HandedBatch(block);
  }

  /** The batch to hand to the user function (its arrays are the function's to change). */
  public Map<String, Object> batch() {
    return batch;
  }

  /**
   * Builds the function's {@code result} in {@code out}: unchanged columns share the handed
   * block's vectors, the others are encoded from their arrays; columns keep the result's order.
   *
   * @throws ColumnException if the result's columns differ in length
   */
  public Block write(Map<String, Object> result, Account out) {
    Map<String, String> kept = new LinkedHashMap<>();
    Map<String, Object> changed = new LinkedHashMap<>();
    result.forEach((name, array) -> {
      if (unchanged(name, array)) {
        kept.put(name, name);
      } else {
        changed.put(name, array);
      }
    });
    if (kept.isEmpty()) {
      return Batches.write(result, out);
    }
    if (changed.isEmpty()) {
      return Blocks.project(block, kept, out);
    }
    try (Block built = Batches.write(changed, out)) {
      if (built.rowCount() != block.rowCount()) {
        throw new ColumnException(changed.keySet().iterator().next(), "has "
            + built.rowCount() + " rows, the unchanged columns " + kept.keySet() + " have "
            + block.rowCount());
      }
      // The built columns replace same-named ones of the handed block; project picks and orders.
      try (Block both = Blocks.zip(block, built, out)) {
        Map<String, String> order = new LinkedHashMap<>();
        result.keySet().forEach(name -> order.put(name, name));
        return Blocks.project(both, order, out);
      }
    }
  }

  private boolean unchanged(String name, Object array) {
    Object copy = copies.get(name);
    return copy != null && array == batch.get(name) && sameContents(copy, array);
  }

  private static Object copyOf(Object array) {
    int length = Array.getLength(array);
    Object copy = Array.newInstance(array.getClass().getComponentType(), length);
    System.arraycopy(array, 0, copy, 0, length);
    return copy;
  }

  /** Same contents: {@code Arrays.equals} of the array's own type (NaN equals NaN). */
  private static boolean sameContents(Object copy, Object array) {
    return Objects.deepEquals(copy, array);
  }
}
