package dev.tributary.operators.exchange;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;

/**
 * Copies picked rows into an output block column by column (a gather): fixed-width values as raw
 * bytes with their validity bits, other types through Arrow's own {@code copyFromSafe}. Column
 * at a time keeps one type's loop hot instead of dispatching per value.
 */
final class RowCopy {
  private RowCopy() {}

  /**
   * Copies row {@code rows[p]} of the columns {@code columns[p]} to row {@code at + p} of {@code
   * into}, for {@code p < count}. Fixed-width targets were allocated for every row they receive.
   */
  static void copy(FieldVector[][] columns, int[] rows, int count, FieldVector[] into, int at) {
    if (count == 0) {
      return;
    }
    for (int c = 0; c < into.length; c++) {
      FieldVector target = into[c];
      if (target instanceof BaseFixedWidthVector fixed && !(target instanceof BitVector)) {
        copyFixed(columns, rows, count, c, fixed, at);
      } else {
        for (int p = 0; p < count; p++) {
          target.copyFromSafe(rows[p], at + p, columns[p][c]);
        }
      }
    }
  }

  private static void copyFixed(FieldVector[][] columns, int[] rows, int count, int c,
      BaseFixedWidthVector target, int at) {
    int width = target.getTypeWidth();
    ArrowBuf validity = target.getValidityBuffer();
    ArrowBuf data = target.getDataBuffer();
    for (int p = 0; p < count; p++) {
      BaseFixedWidthVector source = (BaseFixedWidthVector) columns[p][c];
      int row = rows[p];
      int to = at + p;
      if (source.isNull(row)) {
        BitVectorHelper.unsetBit(validity, to);
        continue;
      }
      BitVectorHelper.setBit(validity, to);
      ArrowBuf from = source.getDataBuffer();
      if (width == Long.BYTES) {
        data.setLong((long) to * Long.BYTES, from.getLong((long) row * Long.BYTES));
      } else if (width == Integer.BYTES) {
        data.setInt((long) to * Integer.BYTES, from.getInt((long) row * Integer.BYTES));
      } else {
        data.setBytes((long) to * width, from, (long) row * width, width);
      }
    }
  }
}
