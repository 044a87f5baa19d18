package dev.tributary;

/**
 * Options of a training feed ({@link Dataset#iterBatches(IterBatchesOptions)}, {@link
 * Dataset#streamingSplit(int, boolean, IterBatchesOptions)}), Ray's {@code iter_batches}
 * arguments.
 *
 * @param batchSize rows per batch, re-batched across blocks (the last may be shorter unless
 *     {@code dropLast})
 * @param prefetchBatches batches each consumer has prepared ahead (at least 1): they overlap
 *     reading and preprocessing with the consumer's own work, and their bytes are held by the
 *     execution, inside its memory limit (besides them the feed holds the rest of the source
 *     block being dealt and the next one, see {@link Dataset#streamingSplit})
 * @param localShuffleBufferSize 0 for input order, else batches are drawn at random from a
 *     buffer of at least this many rows (Ray's {@code local_shuffle_buffer_size})
 * @param localShuffleSeed the shuffle's seed: the same seed gives the same batches
 * @param dropLast whether a last batch shorter than {@code batchSize} is dropped
 */
public record IterBatchesOptions(int batchSize, int prefetchBatches, int localShuffleBufferSize,
    long localShuffleSeed, boolean dropLast) {
  /** Ray's defaults: 256 rows, 1 batch ahead, no shuffle, the last batch kept. */
  public static final IterBatchesOptions DEFAULTS = new IterBatchesOptions(256, 1, 0, 0, false);

  /** Validates the options. */
  public IterBatchesOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    if (prefetchBatches < 1) {
      throw new IllegalArgumentException("prefetchBatches must be >= 1, was " + prefetchBatches);
    }
    if (localShuffleBufferSize < 0) {
      throw new IllegalArgumentException("localShuffleBufferSize must be >= 0, was "
          + localShuffleBufferSize);
    }
  }

  /** The defaults. */
  public static IterBatchesOptions defaults() {
    return DEFAULTS;
  }

  /** A copy with {@code rows} rows per batch. */
  public IterBatchesOptions withBatchSize(int rows) {
    return new IterBatchesOptions(rows, prefetchBatches, localShuffleBufferSize,
        localShuffleSeed, dropLast);
  }

  /** A copy preparing {@code batches} batches ahead of each consumer. */
  public IterBatchesOptions withPrefetchBatches(int batches) {
    return new IterBatchesOptions(batchSize, batches, localShuffleBufferSize, localShuffleSeed,
        dropLast);
  }

  /** A copy shuffling within a buffer of at least {@code rows} rows, seeded by {@code seed}. */
  public IterBatchesOptions withLocalShuffle(int rows, long seed) {
    return new IterBatchesOptions(batchSize, prefetchBatches, rows, seed, dropLast);
  }

  /** A copy dropping (or keeping) a short last batch. */
  public IterBatchesOptions withDropLast(boolean drop) {
    return new IterBatchesOptions(batchSize, prefetchBatches, localShuffleBufferSize,
        localShuffleSeed, drop);
  }
}
