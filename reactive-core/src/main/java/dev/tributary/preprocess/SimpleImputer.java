package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Replaces nulls (Ray's {@code SimpleImputer}): by the column's mean (numbers; the column comes
 * out as float64), its most frequent value (the smallest of equally frequent ones), or a
 * constant; other values are unchanged. NaN is a value, not a null.
 */
public final class SimpleImputer implements Preprocessor {
  /** What replaces a null. */
  public enum Strategy {
    /** The column's mean (numeric columns). */
    MEAN,
    /** The column's most frequent value. */
    MOST_FREQUENT,
    /** A given constant. */
    CONSTANT
  }

  private List<String> columns;
  private Strategy strategy;
  /** Per column, what fills its nulls; null until fitted. */
  private Map<String, Object> fill;

  private SimpleImputer() {
    // for Jackson
  }

  private SimpleImputer(List<String> columns, Strategy strategy, Map<String, Object> fill) {
    this.columns = columns;
    this.strategy = strategy;
    this.fill = fill;
  }

  /** An unfitted imputer of {@code columns} by the mean or the most frequent value. */
  public static SimpleImputer of(Strategy strategy, String... columns) {
    if (Objects.requireNonNull(strategy, "strategy") == Strategy.CONSTANT) {
      throw new IllegalArgumentException("a constant needs its value: use constant(value, ...)");
    }
    return new SimpleImputer(Scaling.columns(columns), strategy, null);
  }

  /** A (fitted) imputer filling the nulls of {@code columns} with {@code value}. */
  public static SimpleImputer constant(Object value, String... columns) {
    Objects.requireNonNull(value, "value");
    List<String> list = Scaling.columns(columns);
    Map<String, Object> fill = new LinkedHashMap<>();
    list.forEach(c -> fill.put(c, value));
    return new SimpleImputer(list, Strategy.CONSTANT, fill);
  }

  @Override
  public SimpleImputer fit(Dataset dataset) {
    if (strategy == Strategy.CONSTANT) {
      return this;
    }
    Map<String, Object> fitted = new LinkedHashMap<>();
    if (strategy == Strategy.MEAN) {
      NumericSummary[] s = Scaling.summaries(dataset, columns);
      for (int i = 0; i < s.length; i++) {
        fitted.put(columns.get(i), s[i].count == 0 ? Double.NaN : s[i].mean);
      }
    } else {
      Categories[] found = Categories.fit(dataset, columns);
      for (int i = 0; i < found.length; i++) {
        fitted.put(columns.get(i), found[i].mostFrequent());
      }
    }
    return new SimpleImputer(columns, strategy, fitted);
  }

  @Override
  public boolean fitted() {
    return fill != null;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    Map<String, Object> out = new LinkedHashMap<>(batch);
    for (String column : columns) {
      Object value = fill.get(column);
      if (strategy == Strategy.MEAN) {
        double[] x = Columns.doubles(batch, column).clone();
        double mean = ((Number) value).doubleValue();
        Object[] boxed = Columns.column(batch, column) instanceof Object[] b ? b : null;
        for (int i = 0; boxed != null && i < x.length; i++) {
          if (boxed[i] == null) {
            x[i] = mean;
          }
        }
        out.put(column, x);
      } else if (Columns.column(batch, column) instanceof Object[] boxed && value != null) {
        Object[] filled = boxed.clone();
        Object typed = like(boxed, value, column);
        for (int i = 0; i < filled.length; i++) {
          if (filled[i] == null) {
            filled[i] = typed;
          }
        }
        out.put(column, filled);
      }
    }
    return out;
  }

  /** {@code value} as an element of {@code array} (JSON gives numbers back as it likes). */
  private static Object like(Object[] array, Object value, String column) {
    Class<?> type = array.getClass().getComponentType();
    if (type.isInstance(value)) {
      return value;
    }
    if (value instanceof Number n) {
      if (type == Long.class) {
        return n.longValue();
      }
      if (type == Integer.class) {
        return n.intValue();
      }
      if (type == Double.class) {
        return n.doubleValue();
      }
      if (type == Float.class) {
        return n.floatValue();
      }
    }
    if (type == String.class) {
      return value.toString();
    }
    throw new dev.tributary.memory.ColumnException(column, "holds " + type.getSimpleName()
        + " values; the fill value " + value + " is not one");
  }
}
