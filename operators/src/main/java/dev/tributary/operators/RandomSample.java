package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.SplittableRandom;

/**
 * Keeps each row with probability {@code fraction}, drawn from one random sequence per
 * execution: the same seed over the same row order keeps the same rows, however the rows are
 * cut into blocks. Make one per execution (it holds the sequence's state) and call it on the
 * blocks in order.
 */
public final class RandomSample implements BlockTransform {
  private final double fraction;
  private final SplittableRandom random;

  private RandomSample(double fraction, long seed) {
    this.fraction = fraction;
    this.random = new SplittableRandom(seed);
  }

  /**
   * A sample keeping about {@code fraction} of the rows, drawn from {@code seed}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= fraction <= 1}
   */
  public static RandomSample of(double fraction, long seed) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1], was " + fraction);
    }
    return new RandomSample(fraction, seed);
  }

  @Override
  public Block apply(Block input, Account out) {
    int rows = input.rowCount();
    boolean[] keep = new boolean[rows];
    for (int i = 0; i < rows; i++) {
      keep[i] = random.nextDouble() < fraction;
    }
    try {
      return Blocks.keep(input, i -> keep[i], out);
    } finally {
      input.release(); // a transform consumes its input; keep gave a handle of its own
    }
  }
}
