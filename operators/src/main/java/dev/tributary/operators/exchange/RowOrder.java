package dev.tributary.operators.exchange;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import java.util.List;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;

/**
 * Compares rows of blocks by sort keys, over normalized key columns read once per block. Integers,
 * dates, timestamps, booleans and floating point keys become {@code long}s whose signed order is
 * the key's order (descending ones complemented), so that comparing two rows is comparing longs;
 * strings and binaries become their first 8 bytes as such a long, equal prefixes tied by the
 * whole values' bytes ({@link Tails}), so most comparisons stay on longs; other types (decimals)
 * keep their Java values. Doubles order as {@link Double#compare} does (NaN above every number,
 * -0.0 below 0.0); strings and binaries by their bytes unsigned (UTF-8: code point order, as
 * DuckDB and Spark order them); nulls go first or last per key, whatever the direction.
 */
final class RowOrder {
  private final List<SortKey> keys;
  private final boolean[] descending;
  private final boolean[] nullsLast;

  RowOrder(List<SortKey> keys) {
    this.keys = List.copyOf(keys);
    descending = new boolean[keys.size()];
    nullsLast = new boolean[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      descending[k] = keys.get(k).descending();
      nullsLast[k] = keys.get(k).nullsLast();
    }
  }

  /** How many keys rows are ordered by. */
  int size() {
    return keys.size();
  }

  /** Whether nulls of key {@code k} go after every value. */
  boolean nullsLast(int k) {
    return nullsLast[k];
  }

  /** The key columns of {@code block}, normalized. */
  Keys columns(Block block) {
    int rows = block.rowCount();
    long[][] longs = new long[keys.size()][];
    boolean[][] nulls = new boolean[keys.size()][];
    Object[][] objects = new Object[keys.size()][];
    Tails[] tails = new Tails[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      FieldVector vector = block.vector(keys.get(k).column());
      nulls[k] = nullFlags(vector, rows);
      if (vector instanceof BaseVariableWidthVector variable) {
        tails[k] = Tails.of(variable, rows);
        longs[k] = prefixes(variable, rows, descending[k]);
      } else {
        longs[k] = encode(vector, rows, descending[k]);
        if (longs[k] == null) {
          objects[k] = ColumnReader.values(block, keys.get(k).column());
        }
      }
    }
    return new Keys(rows, longs, nulls, objects, tails);
  }

  /** One flag per row, or null when no row is null. */
  private static boolean[] nullFlags(FieldVector vector, int rows) {
    if (vector.getNullCount() == 0) {
      return null;
    }
    boolean[] flags = new boolean[rows];
    for (int i = 0; i < rows; i++) {
      flags[i] = vector.isNull(i);
    }
    return flags;
  }

  /**
   * The column as longs in the key's order (0 where null), or null for a type compared by its
   * Java values.
   */
  private static long[] encode(FieldVector vector, int rows, boolean descending) {
    long[] out = new long[rows];
    // Null slots may hold garbage: they are never compared (the null flags decide first).
    if (vector instanceof BigIntVector || vector instanceof TimeStampVector) {
      ArrowBuf data = ((BaseFixedWidthVector) vector).getDataBuffer();
      for (int i = 0; i < rows; i++) {
        out[i] = data.getLong((long) i * Long.BYTES);
      }
    } else if (vector instanceof IntVector || vector instanceof DateDayVector) {
      ArrowBuf data = ((BaseFixedWidthVector) vector).getDataBuffer();
      for (int i = 0; i < rows; i++) {
        out[i] = data.getInt((long) i * Integer.BYTES);
      }
    } else if (vector instanceof SmallIntVector v) {
      ArrowBuf data = v.getDataBuffer();
      for (int i = 0; i < rows; i++) {
        out[i] = data.getShort((long) i * Short.BYTES);
      }
    } else if (vector instanceof TinyIntVector v) {
      ArrowBuf data = v.getDataBuffer();
      for (int i = 0; i < rows; i++) {
        out[i] = data.getByte(i);
      }
    } else if (vector instanceof Float8Vector v) {
      ArrowBuf data = v.getDataBuffer();
      for (int i = 0; i < rows; i++) {
        out[i] = orderedBits(data.getDouble((long) i * Double.BYTES));
      }
    } else if (vector instanceof Float4Vector v) {
      ArrowBuf data = v.getDataBuffer();
      for (int i = 0; i < rows; i++) {
        out[i] = orderedBits(data.getFloat((long) i * Float.BYTES));
      }
    } else if (vector instanceof BitVector v) {
      for (int i = 0; i < rows; i++) {
        out[i] = v.isNull(i) ? 0 : v.get(i);
      }
    } else {
      return null;
    }
    if (descending) {
      for (int i = 0; i < rows; i++) {
        out[i] = ~out[i]; // reverses signed order without the overflow negation has at MIN_VALUE
      }
    }
    return out;
  }

  /**
   * The first 8 bytes of each value, big-endian and zero-padded, with the sign bit flipped: signed
   * order of the longs is unsigned order of the prefixes (complemented when descending).
   */
  private static long[] prefixes(BaseVariableWidthVector vector, int rows, boolean descending) {
    long[] out = new long[rows];
    long offsets = vector.getOffsetBuffer().memoryAddress();
    long data = vector.getDataBuffer().memoryAddress();
    for (int i = 0; i < rows; i++) {
      int start = MemoryUtil.getInt(offsets + (long) i * Integer.BYTES);
      int length = MemoryUtil.getInt(offsets + (long) (i + 1) * Integer.BYTES) - start;
      long p;
      if (length >= Long.BYTES) {
        long raw = MemoryUtil.getLong(data + start);
        p = MemoryUtil.LITTLE_ENDIAN ? Long.reverseBytes(raw) : raw;
      } else {
        p = 0;
        for (int b = 0; b < length; b++) {
          p |= (MemoryUtil.getByte(data + start + b) & 0xFFL) << (56 - 8 * b);
        }
      }
      p ^= Long.MIN_VALUE;
      out[i] = descending ? ~p : p;
    }
    return out;
  }

  /**
   * A long whose signed order is {@link Double#compare}'s order of {@code d}: the canonical bits
   * (every NaN the same, above +Infinity), negative numbers' magnitude bits flipped so that -0.0
   * falls just below 0.0.
   */
  static long orderedBits(double d) {
    long bits = Double.doubleToLongBits(d);
    return bits ^ ((bits >> 63) & Long.MAX_VALUE);
  }

  /** Compares row {@code i} of {@code a} with row {@code j} of {@code b}. */
  int compare(Keys a, int i, Keys b, int j) {
    return compareFrom(0, a, i, b, j);
  }

  /** Compares row {@code i} of {@code a} with row {@code j} of {@code b} from key {@code k} on. */
  int compareFrom(int from, Keys a, int i, Keys b, int j) {
    for (int k = from; k < descending.length; k++) {
      boolean[] an = a.nulls[k];
      boolean[] bn = b.nulls[k];
      boolean x = an != null && an[i];
      boolean y = bn != null && bn[j];
      if (x | y) {
        if (x && y) {
          continue;
        }
        return x == nullsLast[k] ? 1 : -1;
      }
      long[] al = a.longs[k];
      int c;
      if (al != null) {
        c = Long.compare(al[i], b.longs[k][j]);
        Tails at = a.tails[k];
        if (c == 0 && at != null) {
          c = at.compare(i, b.tails[k], j);
          if (descending[k]) {
            c = -c;
          }
        }
      } else {
        c = natural(a.objects[k][i], b.objects[k][j]);
        if (descending[k]) {
          c = -c;
        }
      }
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  static int compareValues(SortKey key, Object x, Object y) {
    if (x == null || y == null) {
      if (x == y) {
        return 0;
      }
      return (x == null) == key.nullsLast() ? 1 : -1;
    }
    int c = natural(x, y);
    return key.descending() ? -c : c;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int natural(Object x, Object y) {
    if (x instanceof Double || x instanceof Float || y instanceof Double || y instanceof Float) {
      return Double.compare(((Number) x).doubleValue(), ((Number) y).doubleValue());
    }
    if (x instanceof Number nx && y instanceof Number ny && !(x instanceof java.math.BigDecimal)) {
      return Long.compare(nx.longValue(), ny.longValue());
    }
    if (x instanceof byte[] bx && y instanceof byte[] by) {
      return Arrays.compareUnsigned(bx, by);
    }
    if (x instanceof String sx && y instanceof String sy) {
      return compareCodePoints(sx, sy);
    }
    return ((Comparable) x).compareTo(y);
  }

  /**
   * Compares strings in code point order (their UTF-8 bytes' order, which the sort's normalized
   * keys use), not UTF-16's: a surrogate pair (a code point above U+FFFF) goes after U+E000 to
   * U+FFFF.
   */
  static int compareCodePoints(String x, String y) {
    int n = Math.min(x.length(), y.length());
    for (int i = 0; i < n; i++) {
      char a = x.charAt(i);
      char b = y.charAt(i);
      if (a != b) {
        if (a >= Character.MIN_SURROGATE && b >= Character.MIN_SURROGATE) {
          return codePointRank(a) - codePointRank(b);
        }
        return a - b;
      }
    }
    return x.length() - y.length();
  }

  /** Moves surrogates above U+E000 to U+FFFF, the rest of that range down, keeping their order. */
  private static int codePointRank(char c) {
    return Character.isSurrogate(c) ? c + 0x2000 : c - 0x800;
  }

  /** Whether the longs of key {@code k} in {@code keys} order it fully (no ties to break). */
  static boolean exact(Keys keys, int k) {
    return keys.tails[k] == null;
  }

  /**
   * The whole values of a string or binary key, for rows whose prefixes tie: every value's bytes
   * one after another on the heap.
   */
  static final class Tails {
    final byte[] bytes;
    /** Value {@code i} is {@code bytes[offsets[i], offsets[i + 1])}. */
    final int[] offsets;

    Tails(byte[] bytes, int[] offsets) {
      this.bytes = bytes;
      this.offsets = offsets;
    }

    static Tails of(BaseVariableWidthVector vector, int rows) {
      int[] offsets = new int[rows + 1];
      if (rows == 0) {
        return new Tails(new byte[0], offsets);
      }
      ArrowBuf offsetBuffer = vector.getOffsetBuffer();
      int first = offsetBuffer.getInt(0);
      for (int i = 0; i <= rows; i++) {
        offsets[i] = offsetBuffer.getInt((long) i * Integer.BYTES) - first;
      }
      byte[] bytes = new byte[offsets[rows]];
      vector.getDataBuffer().getBytes(first, bytes, 0, bytes.length);
      return new Tails(bytes, offsets);
    }

    int compare(int i, Tails other, int j) {
      return Arrays.compareUnsigned(bytes, offsets[i], offsets[i + 1],
          other.bytes, other.offsets[j], other.offsets[j + 1]);
    }

    static Tails concat(List<Keys> parts, int k, int total) {
      int bytes = 0;
      for (Keys p : parts) {
        bytes += p.tails[k].bytes.length;
      }
      byte[] all = new byte[bytes];
      int[] offsets = new int[total + 1];
      int row = 0;
      int at = 0;
      for (Keys p : parts) {
        Tails t = p.tails[k];
        System.arraycopy(t.bytes, 0, all, at, t.bytes.length);
        for (int i = 0; i < p.rows; i++) {
          offsets[row++] = at + t.offsets[i];
        }
        at += t.bytes.length;
      }
      offsets[total] = at;
      return new Tails(all, offsets);
    }
  }

  /**
   * Normalized key columns of some rows: per key, longs in the key's order (null for a key
   * compared by its Java values, kept in objects), the whole values where the longs are only
   * prefixes (tails, else null), and null flags (null when no row is null).
   */
  static final class Keys {
    /** The heap estimate of one boxed key value: its reference and the object. */
    static final long BOXED_BYTES = 24;

    final int rows;
    final long[][] longs;
    final boolean[][] nulls;
    final Object[][] objects;
    final Tails[] tails;

    Keys(int rows, long[][] longs, boolean[][] nulls, Object[][] objects, Tails[] tails) {
      this.rows = rows;
      this.longs = longs;
      this.nulls = nulls;
      this.objects = objects;
      this.tails = tails;
    }

    /**
     * The bytes these keys take on the heap: the arrays' contents, a key compared by its Java
     * values counted at {@link #BOXED_BYTES} a row (a reference and a small boxed object).
     */
    long heapBytes() {
      long bytes = 0;
      for (int k = 0; k < longs.length; k++) {
        if (longs[k] != null) {
          bytes += 8L * rows;
        }
        if (objects[k] != null) {
          bytes += BOXED_BYTES * rows;
        }
        if (nulls[k] != null) {
          bytes += rows;
        }
        if (tails[k] != null) {
          bytes += tails[k].bytes.length + 4L * tails[k].offsets.length;
        }
      }
      return bytes;
    }

    /** {@code parts}' rows one after another. */
    static Keys concat(List<Keys> parts, int keyCount) {
      int total = 0;
      for (Keys p : parts) {
        total += p.rows;
      }
      long[][] longs = new long[keyCount][];
      boolean[][] nulls = new boolean[keyCount][];
      Object[][] objects = new Object[keyCount][];
      Tails[] tails = new Tails[keyCount];
      for (int k = 0; k < keyCount; k++) {
        if (parts.get(0).tails[k] != null) {
          tails[k] = Tails.concat(parts, k, total);
        }
        boolean anyNull = false;
        boolean primitive = true;
        for (Keys p : parts) {
          anyNull |= p.nulls[k] != null;
          primitive &= p.longs[k] != null;
        }
        if (anyNull) {
          nulls[k] = new boolean[total];
        }
        if (primitive) {
          longs[k] = new long[total];
        } else {
          objects[k] = new Object[total];
        }
        int at = 0;
        for (Keys p : parts) {
          if (p.nulls[k] != null) {
            System.arraycopy(p.nulls[k], 0, nulls[k], at, p.rows);
          }
          if (primitive) {
            System.arraycopy(p.longs[k], 0, longs[k], at, p.rows);
          } else {
            System.arraycopy(p.objects[k], 0, objects[k], at, p.rows);
          }
          at += p.rows;
        }
      }
      return new Keys(total, longs, nulls, objects, tails);
    }
  }
}
