package dev.tributary.bench.kit;

/**
 * W4 for systems that yield rows one at a time (Spark, DuckDB): gathers the feed columns (id,
 * key, x, y) into column batches of {@link BenchSpec#FEED_BATCH_ROWS}, fresh arrays per batch as
 * {@code iterBatches} hands them out, and feeds each full batch to a {@link ShuffleSum}.
 */
public final class FeedBatches {
  private static final int SIZE = BenchSpec.FEED_BATCH_ROWS;

  private final ShuffleSum consumer;
  private long[] ids = new long[SIZE];
  private int[] keys = new int[SIZE];
  private double[] xs = new double[SIZE];
  private double[] ys = new double[SIZE];
  private int n;

  /** Batches for a consumer shuffling as {@code spec} says. */
  public FeedBatches(BenchSpec spec) {
    this.consumer = new ShuffleSum(spec.shuffleBufferRows(), spec.seed());
  }

  /** Adds one row; a full batch goes to the consumer. */
  public void add(long id, int key, double x, double y) {
    ids[n] = id;
    keys[n] = key;
    xs[n] = x;
    ys[n] = y;
    if (++n == SIZE) {
      consumer.accept(xs, n);
      ids = new long[SIZE];
      keys = new int[SIZE];
      xs = new double[SIZE];
      ys = new double[SIZE];
      n = 0;
    }
  }

  /** Feeds the last, partial batch and returns the consumer's sum of x. */
  public double finish() {
    consumer.accept(xs, n);
    return consumer.finish();
  }
}
