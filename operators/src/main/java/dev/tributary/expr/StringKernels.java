package dev.tributary.expr;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * String functions over UTF-8 bytes: lengths, prefixes, suffixes, containment and substrings
 * work on the bytes without decoding (a valid UTF-8 needle only matches at character
 * boundaries); case mapping and replacement decode each value once.
 */
final class StringKernels {
  private StringKernels() {}

  static Vec apply(Expr e, Vec x) {
    int n = x.n;
    byte[] s = x.bytes;
    int[] off = x.offsets;
    switch (e.op) {
      case LENGTH -> {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
          int count = 0;
          for (int p = off[i]; p < off[i + 1]; p++) {
            count += (s[p] & 0xC0) != 0x80 ? 1 : 0;
          }
          r[i] = count;
        }
        return Vec.ofLongs(r, n, x.valid);
      }
      case CONTAINS, STARTS_WITH, ENDS_WITH -> {
        byte[] needle = ((String) e.value).getBytes(StandardCharsets.UTF_8);
        long[] r = new long[Vec.words(n)];
        for (int i = 0; i < n; i++) {
          int from = off[i];
          int to = off[i + 1];
          boolean t = switch (e.op) {
            case STARTS_WITH -> to - from >= needle.length
                && Arrays.equals(s, from, from + needle.length, needle, 0, needle.length);
            case ENDS_WITH -> to - from >= needle.length
                && Arrays.equals(s, to - needle.length, to, needle, 0, needle.length);
            default -> indexOf(s, from, to, needle) >= 0;
          };
          if (t) {
            Vec.set(r, i);
          }
        }
        return Vec.ofBits(r, n, x.valid);
      }
      case SPLIT -> {
        return split(x, ((String) e.value).getBytes(StandardCharsets.UTF_8));
      }
      case SUBSTRING -> {
        int[] range = (int[]) e.value;
        Utf8Builder out = new Utf8Builder(n, s.length);
        for (int i = 0; i < n; i++) {
          int begin = skip(s, off[i], off[i + 1], range[0] - 1);
          int end = skip(s, begin, off[i + 1], range[1]);
          out.add(s, begin, end - begin);
        }
        return out.build(x.valid);
      }
      default -> {
        Utf8Builder out = new Utf8Builder(n, s.length);
        List<?> replace = e.value instanceof List<?> l ? l : null;
        for (int i = 0; i < n; i++) {
          if (!x.isValid(i)) {
            out.add(s, 0, 0);
            continue;
          }
          String v = x.string(i);
          out.add(switch (e.op) {
            case LOWER -> v.toLowerCase(Locale.ROOT);
            case UPPER -> v.toUpperCase(Locale.ROOT);
            default -> v.replace((String) replace.get(0), (String) replace.get(1));
          });
        }
        return out.build(x.valid);
      }
    }
  }

  /**
   * Each value cut at every occurrence of {@code sep}: a list of utf8 whose elements share one
   * byte buffer with the input (the separators left out); a null value is a null list.
   */
  private static Vec split(Vec x, byte[] sep) {
    int n = x.n;
    byte[] s = x.bytes;
    int[] off = x.offsets;
    int[] lists = new int[n + 1];
    Utf8Builder out = new Utf8Builder(n, s.length);
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (x.isValid(i)) {
        int from = off[i];
        int at;
        while ((at = indexOf(s, from, off[i + 1], sep)) >= 0) {
          out.add(s, from, at - from);
          count++;
          from = at + sep.length;
        }
        out.add(s, from, off[i + 1] - from);
        count++;
      }
      lists[i + 1] = count;
    }
    return Vec.ofList(lists, out.build(null), n, x.valid);
  }

  /** The byte position {@code count} code points after {@code from}, at most {@code to}. */
  private static int skip(byte[] s, int from, int to, int count) {
    int p = from;
    for (int c = 0; c < count && p < to; c++) {
      p++;
      while (p < to && (s[p] & 0xC0) == 0x80) {
        p++;
      }
    }
    return p;
  }

  private static int indexOf(byte[] s, int from, int to, byte[] needle) {
    outer:
    for (int p = from; p + needle.length <= to; p++) {
      for (int k = 0; k < needle.length; k++) {
        if (s[p + k] != needle[k]) {
          continue outer;
        }
      }
      return p;
    }
    return -1;
  }
}
