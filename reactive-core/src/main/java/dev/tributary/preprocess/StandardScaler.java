package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.List;
import java.util.Map;

/**
 * Scales each column to mean 0 and standard deviation 1: {@code (x - mean) / std}, with the
 * population standard deviation (a constant column divides by 1), as Ray's {@code
 * StandardScaler}. Nulls are ignored when fitting and stay null.
 */
public final class StandardScaler implements Preprocessor {
  private List<String> columns;
  /** Per column, what is subtracted; null until fitted. */
  private double[] mean;
  /** Per column, what the difference is divided by (never 0); null until fitted. */
  private double[] std;

  private StandardScaler() {
    // for Jackson
  }

  private StandardScaler(List<String> columns, double[] mean, double[] std) {
    this.columns = columns;
    this.mean = mean;
    this.std = std;
  }

  /** An unfitted scaler of {@code columns}. */
  public static StandardScaler of(String... columns) {
    return new StandardScaler(Scaling.columns(columns), null, null);
  }

  @Override
  public StandardScaler fit(Dataset dataset) {
    NumericSummary[] s = Scaling.summaries(dataset, columns);
    double[] mean = new double[s.length];
    double[] std = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      mean[i] = s[i].mean;
      std[i] = Scaling.nonZero(s[i].std());
    }
    return new StandardScaler(columns, mean, std);
  }

  @Override
  public boolean fitted() {
    return mean != null;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    return Scaling.apply(batch, columns, mean, std);
  }
}
