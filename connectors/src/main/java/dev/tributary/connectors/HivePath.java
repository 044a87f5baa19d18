package dev.tributary.connectors;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * The {@code key=value} directory names of Hive-style partitioning, both ways. Values are
 * escaped as DuckDB writes them and as Spark and Hive read them: every ASCII character other than
 * letters, digits and {@code . _ ~ -} as {@code %XX}; other characters stay as they are (UTF-8
 * file names). A null is {@link #DEFAULT_PARTITION}; the literal string of that name is escaped
 * ({@code %5F_HIVE...}) so it reads back as itself; an empty string is an empty value ({@code
 * p=}).
 */
final class HivePath {
  /** The name Hive, Spark and DuckDB give the partition of null values. */
  static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private HivePath() {}

  /** The directory name {@code key=value} of a partition value (a Java value, or null). */
  static String segment(String key, Object value) {
    return escape(key) + "=" + (value == null ? DEFAULT_PARTITION : escape(text(value)));
  }

  /** The text of a partition value: plain decimals, ISO dates and times, else its string. */
  static String text(Object value) {
    return value instanceof BigDecimal d ? d.toPlainString() : value.toString();
  }

  /** Escapes {@code s} for a directory name (see the class comment). */
  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean keep = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9') || c == '.' || c == '~' || c == '-'
          || (c == '_' && !(i == 0 && s.equals(DEFAULT_PARTITION)));
      if (keep) {
        out.append(c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return out.toString();
  }

  /**
   * Decodes {@code %XX} sequences (runs of them as UTF-8 bytes, so DuckDB's escaped non-ASCII
   * names read too); anything else, a stray {@code %} included, stays as it is.
   */
  static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); ) {
      int hi = i + 2 < s.length() && s.charAt(i) == '%' ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
      if (lo >= 0) {
        bytes.write(hi << 4 | lo);
        i += 3;
        continue;
      }
      flush(bytes, out);
      out.append(s.charAt(i++));
    }
    flush(bytes, out);
    return out.toString();
  }

  private static void flush(ByteArrayOutputStream bytes, StringBuilder out) {
    if (bytes.size() > 0) {
      out.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
      bytes.reset();
    }
  }

  /**
   * The key and value text of a directory name {@code key=value}, or null if it is not one; the
   * value is null for {@link #DEFAULT_PARTITION}.
   */
  static Segment parse(String name) {
    int eq = name.indexOf('=');
    if (eq <= 0) {
      return null;
    }
    String raw = name.substring(eq + 1);
    return new Segment(unescape(name.substring(0, eq)),
        raw.equals(DEFAULT_PARTITION) ? null : unescape(raw));
  }

  /** One {@code key=value} directory: the column name and its value's text (null for null). */
  record Segment(String key, String value) {}
}
