package dev.tributary.expr;

import java.util.Arrays;

/**
 * A column while expressions run: primitive arrays and a validity bitmap (bit {@code i % 64} of
 * word {@code i / 64}, as Arrow lays it out; null when every row is valid). Exactly one value
 * representation is set, by type: {@code longs}, {@code doubles}, {@code bits} (booleans, as a
 * bitmap) or {@code bytes} + {@code offsets} (UTF-8, Arrow's layout). Bits at or past {@code n}
 * are zero. Values of null rows are unspecified.
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
      case INT64 -> {
        long[] out = new long[m];
        for (int k = 0; k < m; k++) {
          out[k] = longs[rows[k]];
        }
        return ofLongs(out, m, v);
      }
      case FLOAT64 -> {
        double[] out = new double[m];
        for (int k = 0; k < m; k++) {
          out[k] = doubles[rows[k]];
        }
        return ofDoubles(out, m, v);
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
