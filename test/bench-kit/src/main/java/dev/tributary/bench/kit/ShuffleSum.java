package dev.tributary.bench.kit;

import java.util.SplittableRandom;

/**
 * W4's consumer, the same for every system: a seeded local shuffle buffer of rows (Ray Data's
 * {@code local_shuffle_buffer_size}) over the batches a system yields, summing the float column
 * of each row as it leaves the buffer.
 *
 * <p>The shuffle lives here, on the consumer side of every system equally (Spark and DuckDB
 * have no local shuffle of their own), so Tributary's {@code iterBatches(size, buffer, seed)} is
 * not used for W4.
 */
public final class ShuffleSum {
  private final double[] buffer;
  private final SplittableRandom random;
  private int size;
  private double sum;

  /** A consumer with a buffer of {@code bufferRows} rows, shuffled with {@code seed}. */
  public ShuffleSum(int bufferRows, long seed) {
    if (bufferRows < 1) {
      throw new IllegalArgumentException("bufferRows must be >= 1, was " + bufferRows);
    }
    this.buffer = new double[bufferRows];
    this.random = new SplittableRandom(seed);
  }

  /** Takes the first {@code n} values of one batch's float column. */
  public void accept(double[] column, int n) {
    for (int i = 0; i < n; i++) {
      double v = column[i];
      if (size < buffer.length) {
        buffer[size++] = v;
      } else {
        int j = random.nextInt(buffer.length);
        sum += buffer[j];
        buffer[j] = v;
      }
    }
  }

  /** Drains the buffer and returns the sum of every value received. */
  public double finish() {
    for (int i = 0; i < size; i++) {
      sum += buffer[i];
    }
    size = 0;
    return sum;
  }
}
