package dev.tributary.preprocess;

import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.NullVector;

/** Reading the columns preprocessors work on, from blocks (fitting) and column batches. */
final class Columns {
  private Columns() {}

  /** The columns' non-null numbers of {@code block}, one array per column (a copy). */
  static double[][] numbers(Block block, List<String> columns) {
    double[][] out = new double[columns.size()][];
    for (int c = 0; c < columns.size(); c++) {
      String column = columns.get(c);
      FieldVector v = block.vector(column);
      int rows = v.getValueCount();
      double[] values = new double[rows - Math.min(rows, v.getNullCount())];
      int n = 0;
      if (v instanceof FloatingPointVector f) {
        for (int i = 0; i < rows; i++) {
          if (!v.isNull(i)) {
            values[n++] = f.getValueAsDouble(i);
          }
        }
      } else if (v instanceof BaseIntVector b) {
        for (int i = 0; i < rows; i++) {
          if (!v.isNull(i)) {
            values[n++] = b.getValueAsLong(i);
          }
        }
      } else if (!(v instanceof NullVector)) {
        throw notNumeric(column, v.getField().getType().toString());
      }
      out[c] = values;
    }
    return out;
  }

  /** A batch column as doubles; nulls as NaN. */
  static double[] doubles(Map<String, Object> batch, String column) {
    Object a = column(batch, column);
    if (a instanceof double[] d) {
      return d;
    }
    if (a instanceof long[] l) {
      double[] out = new double[l.length];
      for (int i = 0; i < l.length; i++) {
        out[i] = l[i];
      }
      return out;
    }
    if (a instanceof int[] x) {
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = x[i];
      }
      return out;
    }
    if (a instanceof float[] x) {
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = x[i];
      }
      return out;
    }
    if (a instanceof Object[] boxed) {
      double[] out = new double[boxed.length];
      for (int i = 0; i < boxed.length; i++) {
        if (boxed[i] == null) {
          out[i] = Double.NaN;
        } else if (boxed[i] instanceof Number number) {
          out[i] = number.doubleValue();
        } else {
          throw notNumeric(column, boxed[i].getClass().getSimpleName());
        }
      }
      return out;
    }
    throw notNumeric(column, a.getClass().getSimpleName());
  }

  /** Whether the batch column has nulls (only boxed arrays can). */
  static boolean hasNulls(Map<String, Object> batch, String column) {
    if (column(batch, column) instanceof Object[] boxed) {
      for (Object o : boxed) {
        if (o == null) {
          return true;
        }
      }
    }
    return false;
  }

  /** A batch column's values, boxed. */
  static Object[] objects(Map<String, Object> batch, String column) {
    Object a = column(batch, column);
    if (a instanceof Object[] boxed) {
      return boxed;
    }
    int n = java.lang.reflect.Array.getLength(a);
    Object[] out = new Object[n];
    for (int i = 0; i < n; i++) {
      out[i] = java.lang.reflect.Array.get(a, i);
    }
    return out;
  }

  /** Numbers for output: {@code double[]}, or {@code Double[]} keeping the rows that were null. */
  static Object output(double[] values, boolean keepNulls) {
    if (!keepNulls) {
      return values;
    }
    Double[] out = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Double.isNaN(values[i]) ? null : values[i];
    }
    return out;
  }

  static Object column(Map<String, Object> batch, String column) {
    Object a = batch.get(column);
    if (a == null) {
      throw new ColumnException(column, "is not in the batch; its columns are "
          + batch.keySet());
    }
    return a;
  }

  private static ColumnException notNumeric(String column, String type) {
    return new ColumnException(column, "is " + type + ", not numeric: this preprocessor needs "
        + "numbers (cast it, or encode it first)");
  }
}
