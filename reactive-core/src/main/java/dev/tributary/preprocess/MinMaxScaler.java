package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.List;
import java.util.Map;

/**
 * Scales each column to [0, 1]: {@code (x - min) / (max - min)} (a constant column divides by
 * 1), as Ray's {@code MinMaxScaler}. Nulls are ignored when fitting and stay null.
 */
public final class MinMaxScaler implements Preprocessor {
  private List<String> columns;
  /** Per column, what is subtracted; null until fitted. */
  private double[] min;
  /** Per column, what the difference is divided by (never 0); null until fitted. */
  private double[] range;

  private MinMaxScaler() {
    // for Jackson
  }

  private MinMaxScaler(List<String> columns, double[] min, double[] range) {
    this.columns = columns;
    this.min = min;
    this.range = range;
  }

  /** An unfitted scaler of {@code columns}. */
  public static MinMaxScaler of(String... columns) {
    return new MinMaxScaler(Scaling.columns(columns), null, null);
  }

  @Override
  public MinMaxScaler fit(Dataset dataset) {
    NumericSummary[] s = Scaling.summaries(dataset, columns);
    double[] min = new double[s.length];
    double[] range = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      min[i] = s[i].count == 0 ? 0 : s[i].min;
      range[i] = Scaling.nonZero(s[i].count == 0 ? 0 : s[i].max - s[i].min);
    }
    return new MinMaxScaler(columns, min, range);
  }

  @Override
  public boolean fitted() {
    return min != null;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    return Scaling.apply(batch, columns, min, range);
  }
}
