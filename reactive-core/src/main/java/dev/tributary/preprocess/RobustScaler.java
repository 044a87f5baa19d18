package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.List;
import java.util.Map;

/**
 * Scales each column by its median and interquartile range: {@code (x - median) / (q75 -
 * q25)} (an IQR of 0 divides by 1), as Ray's {@code RobustScaler}. Quantiles interpolate
 * linearly (NumPy's default); they are exact for columns of up to {@link #EXACT_ROWS} non-null
 * values and estimated from a seeded uniform sample of that many beyond, so fitting stays
 * within a fixed memory bound (8 bytes per sampled value per column). Nulls are ignored when
 * fitting and stay null.
 */
public final class RobustScaler implements Preprocessor {
  /** Values per column up to which quantiles are exact (8 MiB of doubles per column). */
  public static final int EXACT_ROWS = 1 << 20;

  private List<String> columns;
  /** Per column, what is subtracted; null until fitted. */
  private double[] median;
  /** Per column, what the difference is divided by (never 0); null until fitted. */
  private double[] iqr;

  private RobustScaler() {
    // for Jackson
  }

  private RobustScaler(List<String> columns, double[] median, double[] iqr) {
    this.columns = columns;
    this.median = median;
    this.iqr = iqr;
  }

  /** An unfitted scaler of {@code columns}. */
  public static RobustScaler of(String... columns) {
    return new RobustScaler(Scaling.columns(columns), null, null);
  }

  @Override
  public RobustScaler fit(Dataset dataset) {
    QuantileSample[] samples = new QuantileSample[columns.size()];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = new QuantileSample(EXACT_ROWS);
    }
    Fitting.pass(dataset, columns, samples, (acc, block) -> {
      double[][] values = Columns.numbers(block, columns);
      for (int i = 0; i < acc.length; i++) {
        acc[i].addAll(values[i]);
      }
    });
    double[] median = new double[samples.length];
    double[] iqr = new double[samples.length];
    for (int i = 0; i < samples.length; i++) {
      double[] q = samples[i].quantiles(0.25, 0.5, 0.75);
      median[i] = Double.isNaN(q[1]) ? 0 : q[1];
      iqr[i] = Scaling.nonZero(q[2] - q[0]);
    }
    return new RobustScaler(columns, median, iqr);
  }

  @Override
  public boolean fitted() {
    return median != null;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    return Scaling.apply(batch, columns, median, iqr);
  }
}
