package dev.tributary.preprocess;

import java.util.Arrays;
import java.util.Random;

/**
 * Quantiles of one numeric column within a fixed memory bound: every value while there are at
 * most {@code capacity} (then the quantiles are exact), else a uniform reservoir sample of
 * {@code capacity} values (Vitter's algorithm R, seeded, so a fit is repeatable), whose
 * quantiles estimate the column's. Quantiles interpolate linearly between the two nearest ranks
 * (NumPy's default).
 */
final class QuantileSample {
  private final double[] sample;
  private final Random random = new Random(0);
  private long seen;

  QuantileSample(int capacity) {
    this.sample = new double[capacity];
  }

  void addAll(double[] values) {
    for (double x : values) {
      if (seen < sample.length) {
        sample[(int) seen] = x;
      } else {
        long slot = (long) (random.nextDouble() * (seen + 1));
        if (slot < sample.length) {
          sample[(int) slot] = x;
        }
      }
      seen++;
    }
  }

  /** The quantiles {@code qs} (each in [0, 1]); NaN for an empty column. */
  double[] quantiles(double... qs) {
    int n = (int) Math.min(seen, sample.length);
    double[] sorted = Arrays.copyOf(sample, n);
    Arrays.sort(sorted);
    double[] out = new double[qs.length];
    for (int i = 0; i < qs.length; i++) {
      if (n == 0) {
        out[i] = Double.NaN;
        continue;
      }
      double rank = qs[i] * (n - 1);
      int lo = (int) Math.floor(rank);
      int hi = Math.min(lo + 1, n - 1);
      out[i] = sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
    return out;
  }
}
