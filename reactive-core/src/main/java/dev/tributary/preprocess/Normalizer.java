package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scales each row's values over {@code columns} to unit norm (Ray's {@code Normalizer}): L2,
 * L1 or max; a row whose norm is 0 is left as it is. Needs no fitting; float64 out.
 */
public final class Normalizer implements Preprocessor {
  /** The row norm. */
  public enum Norm {
    /** Euclidean. */
    L2,
    /** Sum of absolute values. */
    L1,
    /** Largest absolute value. */
    MAX
  }

  private List<String> columns;
  private Norm norm;

  private Normalizer() {
    // for Jackson
  }

  private Normalizer(List<String> columns, Norm norm) {
    this.columns = columns;
    this.norm = norm;
  }

  /** A normalizer of {@code columns} by {@code norm}. */
  public static Normalizer of(Norm norm, String... columns) {
    return new Normalizer(Scaling.columns(columns), Objects.requireNonNull(norm, "norm"));
  }

  /** Itself: it has nothing to learn. */
  @Override
  public Normalizer fit(Dataset dataset) {
    return this;
  }

  @Override
  public boolean fitted() {
    return true;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    double[][] x = new double[columns.size()][];
    for (int c = 0; c < x.length; c++) {
      x[c] = Columns.doubles(batch, columns.get(c));
    }
    int rows = x.length == 0 ? 0 : x[0].length;
    double[][] y = new double[x.length][rows];
    for (int i = 0; i < rows; i++) {
      double n = 0;
      for (double[] column : x) {
        double v = Math.abs(column[i]);
        n = switch (norm) {
          case L2 -> n + v * v;
          case L1 -> n + v;
          case MAX -> Math.max(n, v);
        };
      }
      double scale = norm == Norm.L2 ? Math.sqrt(n) : n;
      for (int c = 0; c < x.length; c++) {
        y[c][i] = scale == 0 ? x[c][i] : x[c][i] / scale;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>(batch);
    for (int c = 0; c < x.length; c++) {
      out.put(columns.get(c), y[c]);
    }
    return out;
  }
}
