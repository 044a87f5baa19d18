package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.List;
import java.util.Map;

/**
 * Scales each column to [-1, 1] by its largest absolute value: {@code x / max|x|} (a column of
 * zeros divides by 1), as Ray's {@code MaxAbsScaler}. Nulls are ignored when fitting and stay
 * null.
 */
public final class MaxAbsScaler implements Preprocessor {
  private List<String> columns;
  /** Per column, what is subtracted (0); null until fitted. */
  private double[] offset;
  /** Per column, what the difference is divided by (never 0); null until fitted. */
  private double[] maxAbs;

  private MaxAbsScaler() {
    // for Jackson
  }

  private MaxAbsScaler(List<String> columns, double[] offset, double[] maxAbs) {
    this.columns = columns;
    this.offset = offset;
    this.maxAbs = maxAbs;
  }

  /** An unfitted scaler of {@code columns}. */
  public static MaxAbsScaler of(String... columns) {
    return new MaxAbsScaler(Scaling.columns(columns), null, null);
  }

  @Override
  public MaxAbsScaler fit(Dataset dataset) {
    NumericSummary[] s = Scaling.summaries(dataset, columns);
    double[] zero = new double[s.length];
    double[] maxAbs = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      maxAbs[i] = Scaling.nonZero(s[i].maxAbs());
    }
    return new MaxAbsScaler(columns, zero, maxAbs);
  }

  @Override
  public boolean fitted() {
    return offset != null;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    return Scaling.apply(batch, columns, offset, maxAbs);
  }
}
