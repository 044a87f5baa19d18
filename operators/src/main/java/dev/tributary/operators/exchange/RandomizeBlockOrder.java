package dev.tributary.operators.exchange;

import dev.tributary.memory.Block;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The blocks of a stream, unchanged, in a random order drawn from a seed (Ray Data's {@code
 * randomize_block_order}): every block is gathered by an {@link Exchange} into one partition
 * (held up to its budget, spilled beyond), then read back in a seeded permutation. Unlike a
 * row-level shuffle it copies nothing held in memory and needs no partition to fit. The same seed
 * over the same blocks gives the same order.
 */
public final class RandomizeBlockOrder implements Function<Flux<Block>, Flux<Block>> {
  private final Exchange exchange;
  private final long seed;

  private RandomizeBlockOrder(Exchange exchange, long seed) {
    this.exchange = exchange;
    this.seed = seed;
  }

  /** The blocks through {@code exchange}, in an order drawn from {@code seed}. */
  public static RandomizeBlockOrder of(Exchange exchange, long seed) {
    return new RandomizeBlockOrder(Objects.requireNonNull(exchange, "exchange"), seed);
  }

  @Override
  public Flux<Block> apply(Flux<Block> input) {
    return Flux.usingWhen(
        exchange.partition(input, Partitioning.single()),
        parts -> parts.read(0, permutation(parts.blockCount(0))),
        parts -> Mono.fromRunnable(parts::close),
        (parts, e) -> Mono.fromRunnable(parts::close),
        parts -> Mono.fromRunnable(parts::close))
        .doOnDiscard(Block.class, Block::release);
  }

  /** A Fisher-Yates permutation of {@code 0..n-1} drawn from the seed. */
  private int[] permutation(int n) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
