package dev.tributary.expr;

import java.util.Arrays;

/**
 * A column while expressions run: primitive arrays and a validity bitmap (bit {@code i % 64} of
 * word {@code i / 64}, as Arrow lays it out; null when every row is valid). Exactly one value
 * representation is set, by type: {@code longs} (int64, dates as days, timestamps as
 * microseconds, with {@code zone} for {@link ExprType#TIMESTAMP_TZ}), {@code doubles}, {@code
 * bits} (booleans, as a bitmap), {@code bytes} + {@code offsets} (UTF-8, Arrow's layout), {@code
 * offsets} + {@code child} (lists, Arrow's layout) or {@code names} + {@code children} (structs).
 * Bits at or past {@code n} are zero. Values of null rows are unspecified.
 */
final class Vec {
  final ExprType type;
  final int n;
  final long[] valid;
  long[] longs;
  double[] doubles;
  long[] bits;
  byte[] bytes;
  int[] offsets;
  String zone;
  /** Float64 values that were read from a float32 column (so each is exactly a float). */
  boolean float32;
  /** A zoned timestamp's wall-clock values, once a part needed them ({@link TimeKernels}). */
  long[] wallClock;
  Vec child;
  String[] names;
  Vec[] children;

  Vec(ExprType type, int n, long[] valid) {
    this.type = type;
    this.n = n;
    this.valid = valid;
  }

  static Vec ofLongs(long[] v, int n, long[] valid) {
    Vec x = new Vec(ExprType.INT64, n, valid);
    x.longs = v;
    return x;
  }

  /** Days, microseconds or int64 values of {@code type}. */
  static Vec ofLongs(ExprType type, long[] v, int n, long[] valid, String zone) {
    Vec x = new Vec(type, n, valid);
    x.longs = v;
    x.zone = zone;
    return x;
  }

  static Vec ofList(int[] offsets, Vec child, int n, long[] valid) {
    Vec x = new Vec(ExprType.LIST, n, valid);
    x.offsets = offsets;
    x.child = child;
    return x;
  }

  static Vec ofStruct(String[] names, Vec[] children, int n, long[] valid) {
    Vec x = new Vec(ExprType.STRUCT, n, valid);
    x.names = names;
    x.children = children;
    return x;
  }

  static Vec ofDoubles(double[] v, int n, long[] valid) {
    Vec x = new Vec(ExprType.FLOAT64, n, valid);
    x.doubles = v;
    return x;
  }

  static Vec ofBits(long[] bits, int n, long[] valid) {
    Vec x = new Vec(ExprType.BOOLEAN, n, valid);
    x.bits = bits;
    return x;
  }

  static Vec ofStrings(byte[] bytes, int[] offsets, int n, long[] valid) {
    Vec x = new Vec(ExprType.UTF8, n, valid);
    x.bytes = bytes;
    x.offsets = offsets;
    return x;
  }

  static int words(int n) {
    return (n + 63) >>> 6;
  }

  static boolean get(long[] bitmap, int i) {
    return (bitmap[i >>> 6] & (1L << i)) != 0;
  }

  static void set(long[] bitmap, int i) {
    bitmap[i >>> 6] |= 1L << i;
  }

  boolean isValid(int i) {
    return valid == null || get(valid, i);
  }

  /** A bitmap of {@code n} ones (zero past {@code n}). */
  static long[] ones(int n) {
    long[] w = new long[words(n)];
    Arrays.fill(w, -1L);
    trim(w, n);
    return w;
  }

  /** Clears the bits at or past {@code n}. */
  static void trim(long[] w, int n) {
    if ((n & 63) != 0) {
      w[w.length - 1] &= (1L << n) - 1;
    }
  }

  /** The validity of a row where both inputs are valid (null: all). */
  static long[] both(long[] a, long[] b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    long[] w = new long[a.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = a[i] & b[i];
    }
    return w;
  }

  /** The string at row {@code i}, decoded (for functions that need Java strings). */
  String string(int i) {
    return new String(bytes, offsets[i], offsets[i + 1] - offsets[i],
        java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * This column as {@code to}, a type it promotes to: int64 to float64, a date to a timestamp at
   * midnight; returned as is when it has that type.
   */
  Vec promote(ExprType to) {
    if (type == to) {
      return this;
    }
    if (type == ExprType.DATE) {
      long[] t = new long[n];
      for (int i = 0; i < n; i++) {
        t[i] = longs[i] * Civil.MICROS_PER_DAY;
      }
      return ofLongs(to, t, n, valid, null);
    }
    return toDoubles();
  }

  /** This column as float64 (int64 promoted; a float64 column is returned as is). */
  Vec toDoubles() {
    if (type == ExprType.FLOAT64) {
      return this;
    }
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = longs[i];
    }
    return ofDoubles(d, n, valid);
  }

  /** The rows at {@code rows}, in that order. */
  Vec take(int[] rows, int m) {
    long[] v = null;
    if (valid != null) {
      v = new long[words(m)];
      for (int k = 0; k < m; k++) {
        if (get(valid, rows[k])) {
          set(v, k);
        }
      }
    }
    switch (type) {
      case INT64, DATE, TIMESTAMP, TIMESTAMP_TZ -> {
        long[] out = new long[m];
        for (int k = 0; k < m; k++) {
          out[k] = longs[rows[k]];
        }
        return ofLongs(type, out, m, v, zone);
      }
      case LIST -> {
        int[] off = new int[m + 1];
        for (int k = 0; k < m; k++) {
          off[k + 1] = off[k] + offsets[rows[k] + 1] - offsets[rows[k]];
        }
        int[] inner = new int[off[m]];
        for (int k = 0; k < m; k++) {
          for (int p = offsets[rows[k]], q = off[k]; q < off[k + 1]; p++, q++) {
            inner[q] = p;
          }
        }
        return ofList(off, child.take(inner, off[m]), m, v);
      }
      case STRUCT -> {
        Vec[] c = new Vec[children.length];
        for (int f = 0; f < c.length; f++) {
          c[f] = children[f].take(rows, m);
        }
        return ofStruct(names, c, m, v);
      }
      case FLOAT64 -> {
        double[] out = new double[m];
        for (int k = 0; k < m; k++) {
          out[k] = doubles[rows[k]];
        }
        Vec r = ofDoubles(out, m, v);
        r.float32 = float32;
        return r;
      }
      case BOOLEAN -> {
        long[] out = new long[words(m)];
        for (int k = 0; k < m; k++) {
          if (get(bits, rows[k])) {
            set(out, k);
          }
        }
        return ofBits(out, m, v);
      }
      default -> {
        int[] off = new int[m + 1];
        for (int k = 0; k < m; k++) {
          off[k + 1] = off[k] + offsets[rows[k] + 1] - offsets[rows[k]];
        }
        byte[] out = new byte[off[m]];
        for (int k = 0; k < m; k++) {
          System.arraycopy(bytes, offsets[rows[k]], out, off[k], off[k + 1] - off[k]);
        }
        return ofStrings(out, off, m, v);
      }
    }
  }

  /** A column of {@code n} copies of a literal. */
  static Vec constant(Object value, int n) {
    if (value instanceof java.time.temporal.Temporal) {
      long[] v = new long[n];
      Arrays.fill(v, Civil.encode(value));
      ExprType t = Typing.literal(value);
      return ofLongs(t, v, n, null, t == ExprType.TIMESTAMP_TZ ? "UTC" : null);
    }
    if (value instanceof Long l) {
      long[] v = new long[n];
      Arrays.fill(v, l);
      return ofLongs(v, n, null);
    }
    if (value instanceof Double d) {
      double[] v = new double[n];
      Arrays.fill(v, d);
      return ofDoubles(v, n, null);
    }
    if (value instanceof Boolean b) {
      return ofBits(b ? ones(n) : new long[words(n)], n, null);
    }
    byte[] s = ((String) value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] out = new byte[s.length * n];
    int[] off = new int[n + 1];
    for (int i = 0; i < n; i++) {
      System.arraycopy(s, 0, out, i * s.length, s.length);
      off[i + 1] = (i + 1) * s.length;
    }
    return ofStrings(out, off, n, null);
  }
}
