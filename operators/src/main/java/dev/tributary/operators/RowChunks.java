package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/**
 * Cuts rows, as they are produced, into blocks of about a target size in bytes, so that rows made
 * on the heap (by a source of Java objects or a row function) never pile up beyond one block.
 *
 * <p>A block is closed when the estimated Arrow size of its rows reaches the target. The estimate
 * comes from the values themselves (string lengths, array lengths, 8 bytes a number) and is
 * corrected by the ratio of measured block bytes to estimated bytes of the blocks built so far, so
 * blocks converge on the target whatever the row shape. A single row larger than the target is a
 * block of its own. Later blocks take the first block's column types as hints, so a column that is
 * null throughout one chunk keeps the type it had.
 */
public final class RowChunks {
  /** Rows per block at most by default, whatever their size: bounds the per-block heap list. */
  public static final int DEFAULT_MAX_ROWS = 1 << 16;

  private final Iterator<Map<String, Object>> rows;
  private final Account account;
  private final long targetBytes;
  private final int maxRows;
  private Schema hint;
  /** Measured bytes per estimated byte over the blocks built so far (1 before the first). */
  private double correction = 1;

  private RowChunks(Iterator<Map<String, Object>> rows, Schema hint, Account account,
      long targetBytes, int maxRows) {
    this.rows = rows;
    this.hint = hint;
    this.account = account;
    this.targetBytes = targetBytes;
    this.maxRows = maxRows;
  }

  /**
   * The blocks of {@code rows}, allocated in {@code account} one at a time as downstream asks,
   * each of about {@code targetBytes} and at most {@code maxRows} rows.
   *
   * @param hint column types for columns whose values are all null in a block (may be null)
   */
  public static Flux<Block> of(Iterator<Map<String, Object>> rows, Schema hint, Account account,
      long targetBytes, int maxRows) {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(account, "account");
    if (targetBytes < 1) {
      throw new IllegalArgumentException("targetBytes must be >= 1, was " + targetBytes);
    }
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be >= 1, was " + maxRows);
    }
    return Flux.<Block, RowChunks>generate(
        () -> new RowChunks(rows, hint, account, targetBytes, maxRows),
        (chunks, sink) -> {
          Block next = chunks.next();
          if (next == null) {
            sink.complete();
          } else {
            sink.next(next);
          }
          return chunks;
        });
  }

  /** The next block, or null when the rows are exhausted. */
  private Block next() {
    List<Map<String, Object>> chunk = new ArrayList<>();
    double estimated = 0;
    while (chunk.size() < maxRows && estimated * correction < targetBytes && rows.hasNext()) {
      Map<String, Object> row = Objects.requireNonNull(rows.next(), "row");
      chunk.add(row);
      estimated += estimate(row);
    }
    if (chunk.isEmpty()) {
      return null;
    }
    Block block = account.allocate(() -> Rows.write(chunk, hint, account));
    if (hint == null) {
      hint = block.schema();
    }
    correction = Math.max(0.01, block.sizeBytes() / Math.max(1.0, estimated));
    return block;
  }

  /** An estimate of the Arrow bytes one row takes: its values plus a validity bit each. */
  static long estimate(Map<String, Object> row) {
    long bytes = 0;
    for (Object value : row.values()) {
      bytes += 1 + valueBytes(value);
    }
    return bytes;
  }

  private static long valueBytes(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof CharSequence s) {
      return 4L + s.length();
    }
    if (value instanceof byte[] b) {
      return 4L + b.length;
    }
    if (value instanceof float[] f) {
      return 4L + 4L * f.length;
    }
    if (value instanceof double[] d) {
      return 4L + 8L * d.length;
    }
    if (value instanceof long[] l) {
      return 4L + 8L * l.length;
    }
    if (value instanceof int[] i) {
      return 4L + 4L * i.length;
    }
    if (value instanceof short[] s) {
      return 4L + 2L * s.length;
    }
    if (value instanceof BigDecimal) {
      return 16;
    }
    if (value instanceof Iterable<?> list) {
      long bytes = 4;
      for (Object element : list) {
        bytes += 1 + valueBytes(element);
      }
      return bytes;
    }
    if (value instanceof Map<?, ?> struct) {
      long bytes = 0;
      for (Object field : struct.values()) {
        bytes += 1 + valueBytes(field);
      }
      return bytes;
    }
    return 8;
  }
}
