package dev.tributary.it;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Value-by-value comparison of rows with the expected rows of a schema, as a diff that names
 * the column, the row, both values and their Java classes. Floats compare by bits (NaN equals
 * NaN, -0.0 differs from 0.0), decimals with their scale, binary and tensors by content.
 */
final class RowDiff {
  /** At most this many differing cells are listed; the total is always given. */
  private static final int SHOWN = 12;

  /** How lenient a comparison is with a reader that cannot hold a value exactly. */
  enum Tolerance {
    /** Every value exactly. */
    EXACT,
    /** DuckDB: zoned nanosecond timestamps within a microsecond (its TIMESTAMPTZ holds µs). */
    DUCKDB,
    /** {@link #DUCKDB}, and decimals as the nearest double (DuckDB reads JSON numbers so). */
    DUCKDB_JSON
  }

  private RowDiff() {}

  /** The differences of {@code actual} from {@code expected}, or "" when there are none. */
  static String of(Schema schema, List<Map<String, Object>> expected,
      List<Map<String, Object>> actual, Tolerance tolerance) {
    List<String> cells = new ArrayList<>();
    int total = 0;
    if (expected.size() != actual.size()) {
      cells.add(actual.size() + " rows, expected " + expected.size());
      total++;
    }
    for (int r = 0; r < Math.min(expected.size(), actual.size()); r++) {
      Map<String, Object> want = expected.get(r);
      Map<String, Object> got = actual.get(r);
      if (!got.keySet().equals(want.keySet())) {
        total++;
        if (cells.size() < SHOWN) {
          cells.add("row " + r + ": columns " + quoted(got.keySet()) + ", expected "
              + quoted(want.keySet()));
        }
      }
      for (Field f : schema.getFields()) {
        Object w = want.get(f.getName());
        Object g = got.get(f.getName());
        if (!same(f, w, g, tolerance)) {
          total++;
          if (cells.size() < SHOWN) {
            cells.add("column " + quote(f.getName()) + " (" + f.getType() + ") row " + r
                + ": expected " + show(w) + " but was " + show(g));
          }
        }
      }
    }
    if (total == 0) {
      return "";
    }
    return total + " difference(s)" + (total > cells.size() ? ", the first " + cells.size() : "")
        + ":\n  " + String.join("\n  ", cells);
  }

  /** Whether {@code actual} is {@code expected}, a value of {@code field}. */
  static boolean same(Field field, Object expected, Object actual, Tolerance tolerance) {
    if (expected == null || actual == null) {
      return expected == actual;
    }
    ArrowType t = field.getType();
    if (expected instanceof byte[] e) {
      return actual instanceof byte[] a && Arrays.equals(e, a);
    } else if (expected instanceof float[] e) {
      return actual instanceof float[] a && Arrays.equals(e, a);
    } else if (expected instanceof BigDecimal e && tolerance == Tolerance.DUCKDB_JSON) {
      return actual instanceof Double a && a == e.doubleValue();
    } else if (expected instanceof Instant e && tolerance != Tolerance.EXACT
        && t instanceof ArrowType.Timestamp ts && ts.getUnit() == TimeUnit.NANOSECOND) {
      return actual instanceof Instant a && Duration.between(e, a).abs().toNanos() < 1000;
    } else if (expected instanceof List<?> e) {
      if (!(actual instanceof List<?> a) || a.size() != e.size()) {
        return false;
      }
      Field item = field.getChildren().get(0);
      for (int k = 0; k < e.size(); k++) {
        if (!same(item, e.get(k), a.get(k), tolerance)) {
          return false;
        }
      }
      return true;
    } else if (t instanceof ArrowType.Map) {
      Map<?, ?> a = entries(actual);
      if (!(expected instanceof Map<?, ?> e) || a == null || !a.keySet().equals(e.keySet())) {
        return false;
      }
      Field value = field.getChildren().get(0).getChildren().get(1);
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        if (!same(value, entry.getValue(), a.get(entry.getKey()), tolerance)) {
          return false;
        }
      }
      return true;
    } else if (expected instanceof Map<?, ?> e) {
      if (!(actual instanceof Map<?, ?> a) || !a.keySet().equals(e.keySet())) {
        return false;
      }
      for (Field child : field.getChildren()) {
        if (!same(child, e.get(child.getName()), a.get(child.getName()), tolerance)) {
          return false;
        }
      }
      return true;
    }
    // Boxed numbers (by class and bits), strings, booleans, dates, times, decimals with scale.
    return Objects.equals(expected, actual);
  }

  /**
   * A map column's value as a {@code Map}: Tributary's Java value for Arrow maps is not settled,
   * so a {@code Map} or Arrow's own form, a list of {@code {key, value}} entries, is accepted.
   */
  private static Map<?, ?> entries(Object actual) {
    if (actual instanceof Map<?, ?> m) {
      return m;
    }
    if (!(actual instanceof List<?> list)) {
      return null;
    }
    Map<Object, Object> out = new java.util.LinkedHashMap<>();
    for (Object entry : list) {
      if (!(entry instanceof Map<?, ?> kv) || kv.size() != 2 || !kv.containsKey("key")
          || !kv.containsKey("value")) {
        return null;
      }
      out.put(kv.get("key"), kv.get("value"));
    }
    return out;
  }

  /** A value as a diff shows it: its text (nested values too), escaped, and its Java class. */
  static String show(Object v) {
    return v == null ? "null" : text(v) + " (" + v.getClass().getSimpleName() + ")";
  }

  private static String text(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof byte[] b) {
      return "0x" + HexFormat.of().formatHex(b);
    } else if (v instanceof float[] f) {
      return Arrays.toString(f);
    } else if (v instanceof String s) {
      return quote(s);
    } else if (v instanceof List<?> l) {
      List<String> items = new ArrayList<>();
      l.forEach(x -> items.add(text(x)));
      return "[" + String.join(", ", items) + "]";
    } else if (v instanceof Map<?, ?> m) {
      List<String> members = new ArrayList<>();
      m.forEach((k, x) -> members.add(quote(String.valueOf(k)) + ": " + text(x)));
      return "{" + String.join(", ", members) + "}";
    }
    return String.valueOf(v);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
        .replace("\r", "\\r").replace("\t", "\\t") + "\"";
  }

  private static String quoted(Iterable<String> names) {
    List<String> out = new ArrayList<>();
    names.forEach(n -> out.add(quote(n)));
    return out.toString();
  }
}
