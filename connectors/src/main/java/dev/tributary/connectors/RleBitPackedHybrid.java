package dev.tributary.connectors;

import java.util.Arrays;
import org.apache.arrow.memory.util.MemoryUtil;
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
      long read = header(in, pos, to);
      int header = (int) (read >>> 32);
      pos = (int) read;
      if ((header & 1) == 0) {
        int run = header >>> 1;
        int value = runValue(in, pos, valueBytes);
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

  /**
   * Decodes {@code count} dictionary ids of {@code bitWidth} bits from {@code in[from, to)}
   * straight into bits: bit {@code i} of {@code out} (bit {@code i % 64} of word {@code i / 64})
   * is set where {@code keeps[id]} is 1, no id array in between; a repeated run sets its bits at
   * once. {@code out} must hold {@code count + 8} bits plus a word, and be zero.
   *
   * @throws IllegalStateException if the bytes end before {@code count} values
   * @throws ArrayIndexOutOfBoundsException for an id past the end of {@code keeps}
   */
  static void decodeKeeps(byte[] in, int from, int to, int bitWidth, byte[] keeps, long[] out,
      int count) {
    if (bitWidth == 0) {
      if (keeps[0] != 0) {
        setBits(out, 0, count);
      }
      return;
    }
    BytePacker packer = Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
    int valueBytes = (bitWidth + 7) / 8;
    int[] ids = new int[8];
    int pos = from;
    int n = 0;
    while (n < count) {
      if (pos >= to) {
        throw new IllegalStateException("RLE/bit-packed data ended after " + n + " of " + count
            + " values");
      }
      long read = header(in, pos, to);
      int header = (int) (read >>> 32);
      pos = (int) read;
      if ((header & 1) == 0) {
        int run = header >>> 1;
        int value = runValue(in, pos, valueBytes);
        pos += valueBytes;
        int len = Math.min(run, count - n);
        if (keeps[value] != 0) {
          setBits(out, n, len);
        }
        n += len;
      } else {
        int groups = header >>> 1;
        int bytes = groups * bitWidth;
        byte[] src = in;
        int at = pos;
        if (pos + bytes > to) {
          // Some writers drop the padding bytes of a page's last group: unpack from a copy.
          src = Arrays.copyOfRange(in, pos, pos + bytes);
          at = 0;
          pos = to;
        } else {
          pos += bytes;
        }
        // Groups whose bytes can be read eight at a time go id by id; the rest eight ids at a
        // time through the packer.
        int direct = bitWidth > 56 ? 0
            : Math.min(groups, Math.max(0, (src.length - 8 - at) / bitWidth));
        int take = Math.min(direct * 8, count - n);
        keepBits(src, at, bitWidth, keeps, out, n, take);
        n += take;
        at += direct * bitWidth;
        for (int g = direct; g < groups && n < count; g++, at += bitWidth, n += 8) {
          packer.unpack8Values(src, at, ids, 0);
          long eight = keeps[ids[0]] | keeps[ids[1]] << 1 | keeps[ids[2]] << 2
              | keeps[ids[3]] << 3 | keeps[ids[4]] << 4 | keeps[ids[5]] << 5
              | keeps[ids[6]] << 6 | keeps[ids[7]] << 7;
          int w = n >>> 6;
          int s = n & 63;
          out[w] |= eight << s;
          if (s > 56) {
            out[w + 1] |= eight >>> (64 - s);
          }
        }
        n = Math.min(count, n);
      }
    }
  }

  /**
   * Sets bits {@code [n, n + count)} of {@code out} where {@code keeps} keeps the ids bit-packed
   * from {@code in[at]} on ({@code bitWidth} bits each, least significant first), each id read
   * from the eight bytes holding it (the caller checked they are in {@code in}): a bit a word at
   * a time, the word stored once.
   */
  private static void keepBits(byte[] in, int at, int bitWidth, byte[] keeps, long[] out, int n,
      int count) {
    long mask = (1L << bitWidth) - 1;
    long bit = 8L * at;
    int q = n;
    int end = n + count;
    while (q < end) {
      int stop = Math.min(end, ((q >>> 6) + 1) << 6);
      long word = 0;
      for (; q < stop; q++, bit += bitWidth) {
        int id = (int) ((MemoryUtil.getLong(in, (int) (bit >>> 3)) >>> (bit & 7)) & mask);
        word |= (long) keeps[id] << q; // a long shift counts q % 64
      }
      out[(q - 1) >>> 6] |= word;
    }
  }

  /**
   * The run header (a ULEB128 varint) at {@code in[pos]}: the header in the high 32 bits, the
   * position after it in the low 32.
   */
  private static long header(byte[] in, int pos, int to) {
    int header = 0;
    int shift = 0;
    int b;
    do {
      b = in[pos++] & 0xff;
      header |= (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0 && pos < to);
    return (long) header << 32 | pos;
  }

  /** The repeated value of an RLE run: {@code valueBytes} little-endian bytes at {@code pos}. */
  private static int runValue(byte[] in, int pos, int valueBytes) {
    int value = 0;
    for (int i = 0; i < valueBytes; i++) {
      value |= (in[pos + i] & 0xff) << (8 * i);
    }
    return value;
  }

  /** Sets bits {@code [from, from + len)} of {@code bits}. */
  static void setBits(long[] bits, int from, int len) {
    int end = from + len;
    int i = from;
    while (i < end) {
      int w = i >>> 6;
      int stop = Math.min(end, (w + 1) << 6);
      int n = stop - i;
      long run = n == 64 ? -1L : ((1L << n) - 1) << (i & 63);
      bits[w] |= run;
      i = stop;
    }
  }

  private static void unpack(BytePacker packer, byte[] in, int pos, int groups, int bitWidth,
      int[] out, int n, int count) {
    for (int g = 0; g < groups && n < count; g++, pos += bitWidth, n += 8) {
      packer.unpack8Values(in, pos, out, n);
    }
  }
}
