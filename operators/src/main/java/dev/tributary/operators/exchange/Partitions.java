package dev.tributary.operators.exchange;

import dev.tributary.memory.Block;
import reactor.core.publisher.Flux;

/**
 * The partitions an {@link Exchange} built. Each can be read any number of times until {@link
 * #close()}, which frees their memory and spill files.
 */
public interface Partitions extends AutoCloseable {
  /** How many partitions there are (some may be empty). */
  int count();

  /** The blocks of partition {@code partition} (held and spilled). */
  int blockCount(int partition);

  /** The rows of partition {@code partition}. */
  long rowCount(int partition);

  /**
   * The blocks of partition {@code partition}, in arrival order: held ones as zero-copy views,
   * spilled ones restored on demand (on the exchange's I/O scheduler). The receiver owns each
   * block it is given.
   */
  Flux<Block> read(int partition);

  /**
   * The blocks of partition {@code partition} at the indices {@code blocks} (each below {@link
   * #blockCount}), in that order, as {@link #read(int)} gives them.
   */
  Flux<Block> read(int partition, int[] blocks);

  /** Frees what the partitions hold, in memory and on disk; reads that started may fail. */
  @Override
  void close();
}
