package dev.tributary.expr;

import dev.tributary.expr.Expr.Op;
import java.util.Arrays;
import java.util.List;

/**
 * The numeric, comparison and boolean loops. Each runs over whole arrays with the operator chosen
 * once, outside the loop; validity is combined a 64-row word at a time. Int64 overflow is
 * detected by a flag accumulated in the loop and only then located, so the common case stays a
 * straight loop the JIT can vectorize.
 */
final class Kernels {
  private Kernels() {}

  static Vec arithmetic(Expr e, Vec x, Vec y) {
    int n = x.n;
    long[] valid = Vec.both(x.valid, y.valid);
    if (e.op != Op.DIV && x.type == ExprType.INT64 && y.type == ExprType.INT64) {
      return longs(e, x.longs, y.longs, n, valid);
    }
    double[] a = x.toDoubles().doubles;
    double[] b = y.toDoubles().doubles;
    double[] r = new double[n];
    switch (e.op) {
      case ADD -> {
        for (int i = 0; i < n; i++) {
          r[i] = a[i] + b[i];
        }
      }
      case SUB -> {
        for (int i = 0; i < n; i++) {
          r[i] = a[i] - b[i];
        }
      }
      case MUL -> {
        for (int i = 0; i < n; i++) {
          r[i] = a[i] * b[i];
        }
      }
      default -> {
        // DIV and MOD: a zero divisor makes the row null, as in SQL.
        boolean div = e.op == Op.DIV;
        long[] nonZero = null;
        for (int i = 0; i < n; i++) {
          if (b[i] == 0) {
            nonZero = nonZero == null ? Vec.ones(n) : nonZero;
            nonZero[i >>> 6] &= ~(1L << i);
          } else {
            r[i] = div ? a[i] / b[i] : a[i] % b[i];
          }
        }
        valid = nonZero == null ? valid : Vec.both(valid, nonZero);
      }
    }
    return Vec.ofDoubles(r, n, valid);
  }

  /**
   * {@code x op c} for a float64 column and a number literal (ADD, SUB, MUL): one loop over
   * {@code x}, the literal never spread into an array.
   */
  static Vec arithmetic(Op op, Vec x, double c) {
    int n = x.n;
    double[] a = x.doubles;
    double[] r = new double[n];
    switch (op) {
      case ADD -> {
        for (int i = 0; i < n; i++) {
          r[i] = a[i] + c;
        }
      }
      case SUB -> {
        for (int i = 0; i < n; i++) {
          r[i] = a[i] - c;
        }
      }
      case MUL -> {
        for (int i = 0; i < n; i++) {
          r[i] = a[i] * c;
        }
      }
      default -> throw new IllegalStateException(op.name());
    }
    return Vec.ofDoubles(r, n, x.valid);
  }

  /** {@code x op c} for a float64 column and a number literal: one loop over {@code x}. */
  static Vec compare(Op op, Vec x, double c) {
    int n = x.n;
    double[] a = x.doubles;
    long[] r = new long[Vec.words(n)];
    switch (op) {
      case EQ -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] == c ? 1L : 0L) << i;
        }
      }
      case NE -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] != c ? 1L : 0L) << i;
        }
      }
      case LT -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] < c ? 1L : 0L) << i;
        }
      }
      case LE -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] <= c ? 1L : 0L) << i;
        }
      }
      case GT -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] > c ? 1L : 0L) << i;
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] >= c ? 1L : 0L) << i;
        }
      }
    }
    return Vec.ofBits(r, n, x.valid);
  }

  private static Vec longs(Expr e, long[] a, long[] b, int n, long[] valid) {
    long[] r = new long[n];
    long overflow = 0;
    switch (e.op) {
      case ADD -> {
        for (int i = 0; i < n; i++) {
          long s = a[i] + b[i];
          overflow |= (a[i] ^ s) & (b[i] ^ s);
          r[i] = s;
        }
      }
      case SUB -> {
        for (int i = 0; i < n; i++) {
          long s = a[i] - b[i];
          overflow |= (a[i] ^ b[i]) & (a[i] ^ s);
          r[i] = s;
        }
      }
      case MUL -> {
        for (int i = 0; i < n; i++) {
          long s = a[i] * b[i];
          overflow |= Math.multiplyHigh(a[i], b[i]) ^ (s >> 63);
          r[i] = s;
        }
        overflow = overflow != 0 ? -1 : 0;
      }
      default -> {
        long[] nonZero = null;
        for (int i = 0; i < n; i++) {
          if (b[i] == 0) {
            nonZero = nonZero == null ? Vec.ones(n) : nonZero;
            nonZero[i >>> 6] &= ~(1L << i);
          } else {
            r[i] = a[i] % b[i];
          }
        }
        valid = nonZero == null ? valid : Vec.both(valid, nonZero);
      }
    }
    if (overflow < 0) {
      locateOverflow(e, a, b, n, valid);
    }
    return Vec.ofLongs(r, n, valid);
  }

  /** Throws for the first valid row whose exact result does not fit an int64, if any. */
  private static void locateOverflow(Expr e, long[] a, long[] b, int n, long[] valid) {
    for (int i = 0; i < n; i++) {
      if (valid != null && !Vec.get(valid, i)) {
        continue;
      }
      try {
        switch (e.op) {
          case ADD -> Math.addExact(a[i], b[i]);
          case SUB -> Math.subtractExact(a[i], b[i]);
          default -> Math.multiplyExact(a[i], b[i]);
        }
      } catch (ArithmeticException overflow) {
        throw new ExpressionException(e.toString(), "int64 overflow at row " + i + " of the block ("
            + a[i] + " " + e.op.infix + " " + b[i] + "); cast an operand to FLOAT64 first");
      }
    }
  }

  static Vec compare(Op op, Vec x, Vec y) {
    if (x.type != y.type && x.type.isTemporal()) {
      // A date against a timestamp without zone: the date is its midnight.
      x = x.promote(ExprType.TIMESTAMP);
      y = y.promote(ExprType.TIMESTAMP);
    }
    int n = x.n;
    long[] valid = Vec.both(x.valid, y.valid);
    long[] r;
    if (x.type == ExprType.BOOLEAN) {
      r = new long[x.bits.length];
      for (int w = 0; w < r.length; w++) {
        r[w] = op == Op.EQ ? ~(x.bits[w] ^ y.bits[w]) : x.bits[w] ^ y.bits[w];
      }
      Vec.trim(r, n);
    } else if (x.type == ExprType.UTF8) {
      r = strings(op, x, y, n);
    } else if (x.type.usesLongs() && y.type.usesLongs()) {
      r = longs(op, x.longs, y.longs, n);
    } else {
      r = doubles(op, x.toDoubles().doubles, y.toDoubles().doubles, n);
    }
    return Vec.ofBits(r, n, valid);
  }

  private static long[] longs(Op op, long[] a, long[] b, int n) {
    long[] r = new long[Vec.words(n)];
    switch (op) {
      case EQ -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] == b[i] ? 1L : 0L) << i;
        }
      }
      case NE -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] != b[i] ? 1L : 0L) << i;
        }
      }
      case LT -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] < b[i] ? 1L : 0L) << i;
        }
      }
      case LE -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] <= b[i] ? 1L : 0L) << i;
        }
      }
      case GT -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] > b[i] ? 1L : 0L) << i;
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] >= b[i] ? 1L : 0L) << i;
        }
      }
    }
    return r;
  }

  private static long[] doubles(Op op, double[] a, double[] b, int n) {
    long[] r = new long[Vec.words(n)];
    switch (op) {
      case EQ -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] == b[i] ? 1L : 0L) << i;
        }
      }
      case NE -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] != b[i] ? 1L : 0L) << i;
        }
      }
      case LT -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] < b[i] ? 1L : 0L) << i;
        }
      }
      case LE -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] <= b[i] ? 1L : 0L) << i;
        }
      }
      case GT -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] > b[i] ? 1L : 0L) << i;
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          r[i >>> 6] |= (a[i] >= b[i] ? 1L : 0L) << i;
        }
      }
    }
    return r;
  }

  private static long[] strings(Op op, Vec x, Vec y, int n) {
    long[] r = new long[Vec.words(n)];
    for (int i = 0; i < n; i++) {
      int c = Arrays.compareUnsigned(x.bytes, x.offsets[i], x.offsets[i + 1], y.bytes,
          y.offsets[i], y.offsets[i + 1]);
      boolean t = switch (op) {
        case EQ -> c == 0;
        case NE -> c != 0;
        case LT -> c < 0;
        case LE -> c <= 0;
        case GT -> c > 0;
        default -> c >= 0;
      };
      if (t) {
        Vec.set(r, i);
      }
    }
    return r;
  }

  /** Three-valued and: false wins over null. */
  static Vec and(Vec x, Vec y) {
    int words = x.bits.length;
    long[] value = new long[words];
    long[] valid = new long[words];
    for (int w = 0; w < words; w++) {
      long va = x.valid == null ? -1L : x.valid[w];
      long vb = y.valid == null ? -1L : y.valid[w];
      long knownFalse = (va & ~x.bits[w]) | (vb & ~y.bits[w]);
      value[w] = x.bits[w] & y.bits[w] & va & vb;
      valid[w] = (va & vb) | knownFalse;
    }
    Vec.trim(valid, x.n);
    return Vec.ofBits(value, x.n, valid);
  }

  /** Three-valued or: true wins over null. */
  static Vec or(Vec x, Vec y) {
    int words = x.bits.length;
    long[] value = new long[words];
    long[] valid = new long[words];
    for (int w = 0; w < words; w++) {
      long va = x.valid == null ? -1L : x.valid[w];
      long vb = y.valid == null ? -1L : y.valid[w];
      long knownTrue = (va & x.bits[w]) | (vb & y.bits[w]);
      value[w] = knownTrue;
      valid[w] = (va & vb) | knownTrue;
    }
    Vec.trim(valid, x.n);
    return Vec.ofBits(value, x.n, valid);
  }

  static long[] not(long[] bits, int n) {
    long[] r = new long[bits.length];
    for (int w = 0; w < r.length; w++) {
      r[w] = ~bits[w];
    }
    Vec.trim(r, n);
    return r;
  }

  static Vec isIn(Vec x, List<?> values) {
    int n = x.n;
    long[] r = new long[Vec.words(n)];
    if (x.type == ExprType.DATE
        && values.stream().anyMatch(v -> v instanceof java.time.LocalDateTime)) {
      x = x.promote(ExprType.TIMESTAMP);
    }
    if (x.type.isTemporal()) {
      boolean micros = x.type != ExprType.DATE;
      long[] set = values.stream().mapToLong(v -> v instanceof java.time.LocalDate d && micros
          ? Civil.days(d) * Civil.MICROS_PER_DAY : Civil.encode(v)).sorted().toArray();
      for (int i = 0; i < n; i++) {
        if (Arrays.binarySearch(set, x.longs[i]) >= 0) {
          Vec.set(r, i);
        }
      }
    } else if (x.type == ExprType.INT64 && values.stream().allMatch(v -> v instanceof Long)) {
      long[] set = values.stream().mapToLong(v -> (Long) v).sorted().toArray();
      for (int i = 0; i < n; i++) {
        if (Arrays.binarySearch(set, x.longs[i]) >= 0) {
          Vec.set(r, i);
        }
      }
    } else if (x.type.isNumeric()) {
      double[] set = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
      double[] a = x.toDoubles().doubles;
      for (int i = 0; i < n; i++) {
        for (double v : set) {
          if (a[i] == v) {
            Vec.set(r, i);
          }
        }
      }
    } else if (x.type == ExprType.UTF8) {
      List<byte[]> set = values.stream()
          .map(v -> ((String) v).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList();
      for (int i = 0; i < n; i++) {
        for (byte[] v : set) {
          if (Arrays.equals(x.bytes, x.offsets[i], x.offsets[i + 1], v, 0, v.length)) {
            Vec.set(r, i);
          }
        }
      }
    } else {
      boolean hasTrue = values.contains(Boolean.TRUE);
      boolean hasFalse = values.contains(Boolean.FALSE);
      for (int w = 0; w < r.length; w++) {
        r[w] = (hasTrue ? x.bits[w] : 0) | (hasFalse ? ~x.bits[w] : 0);
      }
      Vec.trim(r, n);
    }
    return Vec.ofBits(r, n, x.valid);
  }

  static Vec math(Expr e, Vec x) {
    int n = x.n;
    if (x.type == ExprType.INT64 && (e.op == Op.ROUND || e.op == Op.FLOOR || e.op == Op.CEIL)) {
      return x;
    }
    if (x.type == ExprType.INT64 && (e.op == Op.ABS || e.op == Op.NEGATE)) {
      long[] a = x.longs;
      long[] r = new long[n];
      for (int i = 0; i < n; i++) {
        if (a[i] == Long.MIN_VALUE && x.isValid(i)) {
          throw new ExpressionException(e.toString(), "int64 overflow at row " + i
              + " of the block (" + e.function() + " of " + a[i] + ")");
        }
        r[i] = e.op == Op.ABS ? Math.abs(a[i]) : -a[i];
      }
      return Vec.ofLongs(r, n, x.valid);
    }
    double[] a = x.toDoubles().doubles;
    double[] r = new double[n];
    switch (e.op) {
      case ABS -> {
        for (int i = 0; i < n; i++) {
          r[i] = Math.abs(a[i]);
        }
      }
      case NEGATE -> {
        for (int i = 0; i < n; i++) {
          r[i] = -a[i];
        }
      }
      case ROUND -> {
        for (int i = 0; i < n; i++) {
          r[i] = roundHalfAway(a[i]);
        }
      }
      case FLOOR -> {
        for (int i = 0; i < n; i++) {
          r[i] = Math.floor(a[i]);
        }
      }
      case CEIL -> {
        for (int i = 0; i < n; i++) {
          r[i] = Math.ceil(a[i]);
        }
      }
      case SQRT -> {
        for (int i = 0; i < n; i++) {
          r[i] = Math.sqrt(a[i]);
        }
      }
      case LOG -> {
        for (int i = 0; i < n; i++) {
          r[i] = Math.log(a[i]);
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          r[i] = Math.exp(a[i]);
        }
      }
    }
    return Vec.ofDoubles(r, n, x.valid);
  }

  /** Rounds half away from zero (SQL's ROUND), exact for every double. */
  static double roundHalfAway(double v) {
    double r = Math.rint(v);
    if (Math.abs(v - r) == 0.5) {
      return v + Math.copySign(0.5, v);
    }
    return r;
  }

  static Vec pow(Vec x, Vec y) {
    int n = x.n;
    double[] a = x.toDoubles().doubles;
    double[] b = y.toDoubles().doubles;
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = Math.pow(a[i], b[i]);
    }
    return Vec.ofDoubles(r, n, Vec.both(x.valid, y.valid));
  }

  /**
   * Row {@code i} from {@code values[b]} where bit {@code i} of {@code taken[b]} is set (at most
   * one is), null where none is; values of another numeric type are promoted to {@code type}.
   */
  static Vec pick(ExprType type, List<Vec> values, long[][] taken, int n) {
    int[] from = new int[n];
    Arrays.fill(from, -1);
    for (int b = 0; b < taken.length; b++) {
      long[] t = taken[b];
      for (int w = 0; w < t.length; w++) {
        long bits = t[w];
        while (bits != 0) {
          from[(w << 6) + Long.numberOfTrailingZeros(bits)] = b;
          bits &= bits - 1;
        }
      }
    }
    Vec[] v = values.stream().map(x -> x.promote(type)).toArray(Vec[]::new);
    long[] valid = new long[Vec.words(n)];
    for (int i = 0; i < n; i++) {
      if (from[i] >= 0 && v[from[i]].isValid(i)) {
        Vec.set(valid, i);
      }
    }
    switch (type) {
      case INT64, DATE, TIMESTAMP, TIMESTAMP_TZ -> {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
          r[i] = from[i] < 0 ? 0 : v[from[i]].longs[i];
        }
        return Vec.ofLongs(type, r, n, valid, v[0].zone);
      }
      case FLOAT64 -> {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
          r[i] = from[i] < 0 ? 0 : v[from[i]].doubles[i];
        }
        return Vec.ofDoubles(r, n, valid);
      }
      case BOOLEAN -> {
        long[] r = new long[Vec.words(n)];
        for (int i = 0; i < n; i++) {
          if (from[i] >= 0 && Vec.get(v[from[i]].bits, i)) {
            Vec.set(r, i);
          }
        }
        return Vec.ofBits(r, n, valid);
      }
      default -> {
        int[] off = new int[n + 1];
        for (int i = 0; i < n; i++) {
          Vec s = from[i] < 0 ? null : v[from[i]];
          off[i + 1] = off[i] + (s == null ? 0 : s.offsets[i + 1] - s.offsets[i]);
        }
        byte[] r = new byte[off[n]];
        for (int i = 0; i < n; i++) {
          if (from[i] >= 0) {
            Vec s = v[from[i]];
            System.arraycopy(s.bytes, s.offsets[i], r, off[i], off[i + 1] - off[i]);
          }
        }
        return Vec.ofStrings(r, off, n, valid);
      }
    }
  }
}
