package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A column batch handed to a user function, remembering what it handed out so that columns the
 * function returns unchanged keep their Arrow vectors (zero-copy) instead of being encoded anew.
 *
 * <p>A column counts as unchanged when the function returns the very array it was handed
 * ({@code get} or a typed accessor of the {@link ColumnBatch}), under the same name, with the
 * same contents as when handed (compared with a copy taken then, so in-place edits are seen).
 * Only arrays whose elements cannot change in place qualify: primitive arrays and arrays of
 * strings, boxed numbers, booleans, dates, instants, date-times and decimals.
 *
 * <p>Column order of the result: a map with an order of its own ({@code LinkedHashMap}, {@code
 * SortedMap}, the {@link ColumnBatch} itself) keeps it; any other map ({@code Map.of}, {@code
 * HashMap}), whose order may differ from run to run, gives the handed block's columns in their
 * order, then the new ones sorted by name.
 */
public final class HandedBatch {
  private final Block block;
  private final ColumnBatch batch;

  private HandedBatch(Block block) {
    this.block = block;
    this.batch = new ColumnBatch(block);
  }

  /** The column batch of {@code block} (see {@link Batches#read}), remembered. */
  public static HandedBatch of(Block block) {
    return new HandedBatch(block);
  }

  /**
   * The batch to hand to the user function (its arrays are the function's to change; columns are
   * decoded as it reads them).
   */
  public ColumnBatch batch() {
    return batch;
  }

  /**
   * Runs {@code fn} on the batch and builds its result in {@code out} (see {@link #write}).
   *
   * @throws IllegalStateException if {@code fn} returns null
   */
  public Block apply(java.util.function.Function<? super ColumnBatch, Map<String, Object>> fn,
      Account out) {
    Map<String, Object> result = fn.apply(batch);
    if (result == null) {
      throw new IllegalStateException("the batch function returned null; return a batch");
    }
    return write(result, out);
  }

  /**
   * Builds the function's {@code result} in {@code out}: unchanged columns share the handed
   * block's vectors, the others are encoded from their arrays; columns keep the result's order.
   *
   * @throws ColumnException if the result's columns differ in length
   */
  public Block write(Map<String, Object> unordered, Account out) {
    Map<String, Object> result = ordered(unordered);
    Map<String, String> kept = new LinkedHashMap<>();
    Map<String, Object> changed = new LinkedHashMap<>();
    for (String name : result.keySet()) {
      // A column of the batch itself that the function never read is unchanged: not decoded.
      if (result == batch && batch.unread(name)) {
        kept.put(name, name);
        continue;
      }
      Object array = result.get(name);
      if (batch.unchanged(name, array)) {
        kept.put(name, name);
      } else {
        changed.put(name, array);
      }
    }
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

  /** {@code result} in its own order if it has one, else input columns first, then new sorted. */
  private Map<String, Object> ordered(Map<String, Object> result) {
    if (result instanceof LinkedHashMap || result instanceof SortedMap
        || result instanceof ColumnBatch) {
      return result;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    block.schema().getFields().forEach(f -> {
      if (result.containsKey(f.getName())) {
        out.put(f.getName(), result.get(f.getName()));
      }
    });
    new TreeMap<>(result).forEach(out::putIfAbsent);
    return out;
  }
}
