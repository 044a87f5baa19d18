package dev.tributary.connectors;

import java.util.List;

/** The column types text formats infer, and how values become Java arrays for a block. */
enum ValueKind {
  LONG, DOUBLE, BOOLEAN, STRING;

  /** The narrowest kind every non-null value of column {@code c} fits (STRING if all null). */
  static ValueKind infer(List<Object[]> rows, int c) {
    ValueKind kind = null;
    for (Object[] row : rows) {
      Object v = row[c];
      if (v == null) {
        continue;
      }
      ValueKind k = of(v);
      kind = kind == null ? k : widen(kind, k);
    }
    return kind == null ? STRING : kind;
  }

  private static ValueKind of(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) {
      return LONG;
    }
    if (v instanceof Number) {
      return DOUBLE;
    }
    if (v instanceof Boolean) {
      return BOOLEAN;
    }
    String s = v.toString();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return BOOLEAN;
    }
    try {
      Long.parseLong(s);
      return LONG;
    } catch (NumberFormatException e) {
      // not an integer
    }
    try {
      Double.parseDouble(s);
      return DOUBLE;
    } catch (NumberFormatException e) {
      return STRING;
    }
  }

  private static ValueKind widen(ValueKind a, ValueKind b) {
    if (a == b) {
      return a;
    }
    if ((a == LONG && b == DOUBLE) || (a == DOUBLE && b == LONG)) {
      return DOUBLE;
    }
    return STRING;
  }

  /**
   * Column {@code c} of {@code rows} as a boxed array of this kind.
   *
   * @throws IllegalArgumentException naming the row if a value does not fit
   */
  Object column(List<Object[]> rows, int c) {
    int n = rows.size();
    switch (this) {
      case LONG -> {
        Long[] out = new Long[n];
        for (int r = 0; r < n; r++) {
          Object v = rows.get(r)[c];
          out[r] = v == null ? null : v instanceof Number x && !(v instanceof Double)
              && !(v instanceof Float) ? x.longValue() : parseLong(v, r);
        }
        return out;
      }
      case DOUBLE -> {
        Double[] out = new Double[n];
        for (int r = 0; r < n; r++) {
          Object v = rows.get(r)[c];
          out[r] = v == null ? null : v instanceof Number x ? x.doubleValue() : parseDouble(v, r);
        }
        return out;
      }
      case BOOLEAN -> {
        Boolean[] out = new Boolean[n];
        for (int r = 0; r < n; r++) {
          Object v = rows.get(r)[c];
          out[r] = v == null ? null : parseBoolean(v, r);
        }
        return out;
      }
      default -> {
        String[] out = new String[n];
        for (int r = 0; r < n; r++) {
          Object v = rows.get(r)[c];
          out[r] = v == null ? null : v.toString();
        }
        return out;
      }
    }
  }

  private static long parseLong(Object v, int r) {
    try {
      return Long.parseLong(v.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("value '" + v + "' in row " + r + " of the block is"
          + " not an integer like the column's first values", e);
    }
  }

  private static double parseDouble(Object v, int r) {
    try {
      return Double.parseDouble(v.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("value '" + v + "' in row " + r + " of the block is"
          + " not a number like the column's first values", e);
    }
  }

  private static boolean parseBoolean(Object v, int r) {
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("value '" + v + "' in row " + r + " of the block is not"
        + " a boolean like the column's first values");
  }
}
