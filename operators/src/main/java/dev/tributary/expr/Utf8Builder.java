package dev.tributary.expr;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Appends UTF-8 values row by row into Arrow's layout (bytes + offsets) for string results; grows
 * past the expected count when the number of values is not known ahead (split).
 */
final class Utf8Builder {
  private int[] offsets;
  private byte[] bytes;
  private int rows;

  Utf8Builder(int n, int bytesHint) {
    offsets = new int[n + 1];
    bytes = new byte[Math.max(16, bytesHint)];
  }

  void add(byte[] src, int from, int length) {
    int end = offsets[rows];
    if (end + length > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, end + length));
    }
    System.arraycopy(src, from, bytes, end, length);
    if (rows + 1 == offsets.length) {
      offsets = Arrays.copyOf(offsets, offsets.length * 2);
    }
    offsets[++rows] = end + length;
  }

  void add(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    add(b, 0, b.length);
  }

  Vec build(long[] valid) {
    return Vec.ofStrings(bytes, offsets, rows, valid);
  }
}
