package dev.tributary.connectors;

import java.util.Arrays;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;

/**
 * Parquet's RLE / bit-packed hybrid encoding (definition levels, dictionary ids) decoded a whole
 * page at a time into an {@code int[]}: a repeated run is one {@link Arrays#fill}, a bit-packed
 * run is unpacked eight values at a time by parquet-mr's generated {@link BytePacker}.
 */
final class RleBitPackedHybrid {
  private RleBitPackedHybrid() {}

  /**
   * Decodes {@code count} values of {@code bitWidth} bits from {@code in[from, to)} into {@code
   * out[0, count)}; {@code out} must hold {@code count + 8} values (a bit-packed run ends on a
   * group of eight).
   *
   * @throws IllegalStateException if the bytes end before {@code count} values
   */
  static void decode(byte[] in, int from, int to, int bitWidth, int[] out, int count) {
    if (bitWidth == 0) {
      Arrays.fill(out, 0, count, 0);
      return;
    }
    BytePacker packer = Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
    int valueBytes = (bitWidth + 7) / 8;
    int pos = from;
    int n = 0;
    while (n < count) {
      if (pos >= to) {
        throw new IllegalStateException("RLE/bit-packed data ended after " + n + " of " + count
            + " values");
      }
      int header = 0;
      int shift = 0;
      int b;
      do {
        b = in[pos++] & 0xff;
        header |= (b & 0x7f) << shift;
        shift += 7;
      } while ((b & 0x80) != 0 && pos < to);
      if ((header & 1) == 0) {
        int run = header >>> 1;
        int value = 0;
        for (int i = 0; i < valueBytes; i++) {
          value |= (in[pos + i] & 0xff) << (8 * i);
        }
        pos += valueBytes;
        int len = Math.min(run, count - n);
        Arrays.fill(out, n, n + len, value);
        n += len;
      } else {
        int groups = header >>> 1;
        int bytes = groups * bitWidth;
        if (pos + bytes > to) {
          // Some writers drop the padding bytes of a page's last group: unpack from a copy.
          byte[] padded = Arrays.copyOfRange(in, pos, pos + bytes);
          unpack(packer, padded, 0, groups, bitWidth, out, n, count);
          pos = to;
        } else {
          unpack(packer, in, pos, groups, bitWidth, out, n, count);
          pos += bytes;
        }
        n = Math.min(count, n + groups * 8);
      }
    }
  }

  private static void unpack(BytePacker packer, byte[] in, int pos, int groups, int bitWidth,
      int[] out, int n, int count) {
    for (int g = 0; g < groups && n < count; g++, pos += bitWidth, n += 8) {
      packer.unpack8Values(in, pos, out, n);
    }
  }
}
