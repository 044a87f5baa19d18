package dev.tributary.operators.exchange;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;

/**
 * Gathers picked rows of source blocks into an output block, one take per column: fixed-width
 * values and strings/binaries are copied between the Arrow buffers' memory directly (addresses
 * resolved once per column, then a tight loop), other types through Arrow's own {@code
 * copyFromSafe}. A pick is {@code (long) source << 32 | row}: the row of the source's columns.
 */
final class RowCopy {
  private RowCopy() {}

  /** The pick of row {@code row} of source {@code source}. */
  static long pick(int source, int row) {
    return (long) source << 32 | row;
  }

  /**
   * Copies the rows {@code picks[0, count)} of {@code sources} (each a block's columns in schema
   * order) to rows {@code at, at + count} of {@code into}. Targets were allocated for every row
   * they receive; strings and binaries grow their data buffers as needed. The caller sets the
   * value counts (and, for strings, {@link BaseVariableWidthVector#setLastSet}) once at the end.
   */
  static void take(List<FieldVector[]> sources, long[] picks, int count, FieldVector[] into,
      int at) {
    if (count == 0) {
      return;
    }
    for (int c = 0; c < into.length; c++) {
      FieldVector target = into[c];
      if (target instanceof BaseFixedWidthVector fixed && !(target instanceof BitVector)) {
        takeFixed(sources, c, picks, count, fixed, at);
      } else if (target instanceof BaseVariableWidthVector variable) {
        takeVariable(sources, c, picks, count, variable, at);
      } else {
        for (int p = 0; p < count; p++) {
          long pick = picks[p];
          target.copyFromSafe((int) pick, at + p, sources.get((int) (pick >>> 32))[c]);
        }
      }
    }
  }

  /**
   * The address of each source's validity buffer for column {@code c}, or 0 where the buffer is
   * too short to hold a bit per row (an imported vector without nulls may carry none).
   */
  private static long[] validity(List<FieldVector[]> sources, int c) {
    long[] out = new long[sources.size()];
    for (int s = 0; s < out.length; s++) {
      FieldVector v = sources.get(s)[c];
      ArrowBuf b = v.getValidityBuffer();
      out[s] = b.capacity() * 8 >= v.getValueCount() ? b.memoryAddress() : 0;
    }
    return out;
  }

  private static boolean valid(long validity, int row) {
    return validity == 0 || (MemoryUtil.getByte(validity + (row >>> 3)) >> (row & 7) & 1) != 0;
  }

  private static void setValid(long validity, int row) {
    long at = validity + (row >>> 3);
    MemoryUtil.putByte(at, (byte) (MemoryUtil.getByte(at) | 1 << (row & 7)));
  }

  private static void clearValid(long validity, int row) {
    long at = validity + (row >>> 3);
    MemoryUtil.putByte(at, (byte) (MemoryUtil.getByte(at) & ~(1 << (row & 7))));
  }

  private static void takeFixed(List<FieldVector[]> sources, int c, long[] picks, int count,
      BaseFixedWidthVector target, int at) {
    int width = target.getTypeWidth();
    long[] validity = validity(sources, c);
    long[] data = new long[validity.length];
    for (int s = 0; s < data.length; s++) {
      data[s] = sources.get(s)[c].getDataBuffer().memoryAddress();
    }
    long outValidity = target.getValidityBuffer().memoryAddress();
    long out = target.getDataBuffer().memoryAddress();
    for (int p = 0; p < count; p++) {
      long pick = picks[p];
      int s = (int) (pick >>> 32);
      int row = (int) pick;
      int to = at + p;
      if (!valid(validity[s], row)) {
        clearValid(outValidity, to);
        continue;
      }
      setValid(outValidity, to);
      long from = data[s] + (long) row * width;
      long into = out + (long) to * width;
      switch (width) {
        case 8 -> MemoryUtil.putLong(into, MemoryUtil.getLong(from));
        case 4 -> MemoryUtil.putInt(into, MemoryUtil.getInt(from));
        case 2 -> MemoryUtil.putShort(into, MemoryUtil.getShort(from));
        case 1 -> MemoryUtil.putByte(into, MemoryUtil.getByte(from));
        default -> MemoryUtil.copyMemory(from, into, width);
      }
    }
  }

  private static void takeVariable(List<FieldVector[]> sources, int c, long[] picks, int count,
      BaseVariableWidthVector target, int at) {
    long[] validity = validity(sources, c);
    long[] offsets = new long[validity.length];
    long[] data = new long[validity.length];
    for (int s = 0; s < data.length; s++) {
      FieldVector v = sources.get(s)[c];
      offsets[s] = v.getOffsetBuffer().memoryAddress();
      data[s] = v.getDataBuffer().memoryAddress();
    }
    long bytes = 0;
    for (int p = 0; p < count; p++) {
      long pick = picks[p];
      int s = (int) (pick >>> 32);
      int row = (int) pick;
      if (valid(validity[s], row)) {
        long o = offsets[s] + (long) row * Integer.BYTES;
        bytes += MemoryUtil.getInt(o + Integer.BYTES) - MemoryUtil.getInt(o);
      }
    }
    long outOffsets = target.getOffsetBuffer().memoryAddress();
    if (at == 0) {
      MemoryUtil.putInt(outOffsets, 0);
    }
    int end = MemoryUtil.getInt(outOffsets + (long) at * Integer.BYTES);
    if (end + bytes > Integer.MAX_VALUE) {
      throw new IllegalStateException("a sorted block's column " + target.getName()
          + " would exceed 2 GiB of values");
    }
    if (target.getDataBuffer().capacity() < end + bytes) {
      target.reallocDataBuffer(end + bytes);
    }
    long outValidity = target.getValidityBuffer().memoryAddress();
    long out = target.getDataBuffer().memoryAddress();
    for (int p = 0; p < count; p++) {
      long pick = picks[p];
      int s = (int) (pick >>> 32);
      int row = (int) pick;
      int to = at + p;
      if (valid(validity[s], row)) {
        setValid(outValidity, to);
        long o = offsets[s] + (long) row * Integer.BYTES;
        int start = MemoryUtil.getInt(o);
        int length = MemoryUtil.getInt(o + Integer.BYTES) - start;
        MemoryUtil.copyMemory(data[s] + start, out + end, length);
        end += length;
      } else {
        clearValid(outValidity, to);
      }
      MemoryUtil.putInt(outOffsets + (long) (to + 1) * Integer.BYTES, end);
    }
  }
}
