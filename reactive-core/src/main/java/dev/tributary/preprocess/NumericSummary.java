package dev.tributary.preprocess;

/**
 * A streaming summary of one numeric column: count, mean and sum of squared deviations
 * (Welford's update, numerically stable), minimum, maximum, largest absolute value. Nulls are
 * not counted.
 */
final class NumericSummary {
  long count;
  double mean;
  double m2;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;

  void addAll(double[] values) {
    for (double x : values) {
      count++;
      double delta = x - mean;
      mean += delta / count;
      m2 += delta * (x - mean);
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
  }

  /** The population standard deviation (NumPy's default, as Ray's StandardScaler). */
  double std() {
    return count == 0 ? 0 : Math.sqrt(m2 / count);
  }

  double maxAbs() {
    return count == 0 ? 0 : Math.max(Math.abs(min), Math.abs(max));
  }
}
