package dev.tributary.memory;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;

/**
 * Rows of a vector shown in another without copying, where Arrow's {@code splitAndTransfer}
 * would copy: a range starting off a byte boundary (row offset not a multiple of 8) makes Arrow
 * allocate a validity buffer and copy it bit by bit, once per slice, which was the largest
 * per-batch cost of the training feed. A column without nulls in the range needs no copy: any
 * byte-aligned run of set validity bits serves, and the column's first rows provide one. {@link
 * #share} checks the rows per slice; a caller showing many slices of one vector asks {@link
 * #sharable} once and then {@link #point}s.
 */
public final class VectorSlice {
  private VectorSlice() {}

  /**
   * Points {@code to} (a vector of {@code from}'s type and allocator, which it releases whatever
   * it held) at rows {@code [offset, offset + length)} of {@code from}, sharing its buffers
   * (zero-copy, reference-counted like a transfer), if the rows start off a byte boundary and
   * {@code from} is a fixed-width column (or fixed-size lists of them) without nulls in those
   * rows and in its first {@code length}.
   *
   * @return false, with {@code to} untouched, where Arrow's {@code splitAndTransfer} costs no
   *     copy or this does not apply: the caller transfers with Arrow then
   */
  public static boolean share(FieldVector from, FieldVector to, int offset, int length) {
    if ((offset & 7) == 0 || length == 0 || !dense(from, offset, length)) {
      return false;
    }
    point(from, to, offset, length);
    return true;
  }

  /**
   * Whether {@link #point} can show any rows of {@code from}: a fixed-width column (or
   * fixed-size lists of them) without a null. Checks every row: ask once per vector, not per
   * slice.
   */
  public static boolean sharable(FieldVector from) {
    if (from instanceof BaseFixedWidthVector fixed) {
      return fixed.getTypeWidth() > 0 && from.getNullCount() == 0;
    }
    return from instanceof FixedSizeListVector list && list.getListSize() > 0
        && from.getNullCount() == 0 && sharable(list.getDataVector());
  }

  /**
   * Whether {@code v} is a fixed-width column (or fixed-size lists of them) whose rows {@code
   * [offset, offset + length)} and {@code [0, length)} are all set. The type first: other
   * vectors (a {@code NullVector}, unions) may have no validity buffer to look at.
   */
  private static boolean dense(FieldVector v, int offset, int length) {
    if (v instanceof BaseFixedWidthVector fixed) {
      // a BitVector's values are bits: no byte slice of them
      return fixed.getTypeWidth() > 0 && set(v, offset, length);
    }
    if (v instanceof FixedSizeListVector list) {
      int size = list.getListSize();
      return size > 0 && (long) (offset + length) * size <= Integer.MAX_VALUE
          && set(v, offset, length) && dense(list.getDataVector(), offset * size, length * size);
    }
    return false;
  }

  private static boolean set(FieldVector v, int offset, int length) {
    ArrowBuf validity = v.getValidityBuffer();
    return allSet(validity, 0, length) && allSet(validity, offset, length);
  }

  /**
   * Points {@code to} (a vector of {@code from}'s type and allocator, which it releases whatever
   * it held) at rows {@code [offset, offset + length)} of a {@link #sharable} vector, sharing
   * its buffers (zero-copy, reference-counted like a transfer) at any offset.
   */
  public static void point(FieldVector from, FieldVector to, int offset, int length) {
    // All set from row 0: bytes [0, ceil(length / 8)) are a validity buffer for the rows.
    ArrowBuf validity = from.getValidityBuffer().slice(0, (length + 7) >>> 3);
    ArrowFieldNode node = new ArrowFieldNode(length, 0);
    if (from instanceof BaseFixedWidthVector fixed) {
      long width = fixed.getTypeWidth();
      ArrowBuf data = fixed.getDataBuffer().slice(offset * width, length * width);
      to.loadFieldBuffers(node, List.of(validity, data));
    } else {
      FixedSizeListVector list = (FixedSizeListVector) from;
      int size = list.getListSize();
      to.loadFieldBuffers(node, List.of(validity));
      point(list.getDataVector(), ((FixedSizeListVector) to).getDataVector(), offset * size,
          length * size);
    }
  }

  /** Whether bits {@code [from, from + count)} of {@code bits} are all set. */
  static boolean allSet(ArrowBuf bits, int from, int count) {
    int i = from;
    int end = from + count;
    for (; i < end && (i & 7) != 0; i++) {
      if ((bits.getByte(i >>> 3) >>> (i & 7) & 1) == 0) {
        return false;
      }
    }
    for (; end - i >= 64; i += 64) {
      if (bits.getLong(i >>> 3) != -1L) {
        return false;
      }
    }
    for (; end - i >= 8; i += 8) {
      if (bits.getByte(i >>> 3) != (byte) 0xFF) {
        return false;
      }
    }
    for (; i < end; i++) {
      if ((bits.getByte(i >>> 3) >>> (i & 7) & 1) == 0) {
        return false;
      }
    }
    return true;
  }
}
