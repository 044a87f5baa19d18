package dev.tributary.operators.exchange;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * A row-level random shuffle through an {@link Exchange}: every row goes to a random partition
 * (spilled when the budget is reached), then each partition is read back whole, its rows
 * permuted, and emitted in blocks. The same seed over the same input order gives the same output.
 * A partition must fit in memory: the exchange makes enough of them ({@code partitions}).
 */
public final class RandomShuffle implements Function<Flux<Block>, Flux<Block>> {
  private final Exchange exchange;
  private final int partitions;
  private final long seed;
  private final Account account;
  private final Scheduler io;

  private RandomShuffle(Exchange exchange, int partitions, long seed, Account account,
      Scheduler io) {
    this.exchange = exchange;
    this.partitions = partitions;
    this.seed = seed;
    this.account = account;
    this.io = io;
  }

  /**
   * A shuffle with {@code seed} through {@code exchange} into {@code partitions} partitions, the
   * permuted blocks built in {@code account} on {@code io}.
   */
  public static RandomShuffle of(Exchange exchange, int partitions, long seed, Account account,
      Scheduler io) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    return new RandomShuffle(Objects.requireNonNull(exchange, "exchange"), partitions, seed,
        Objects.requireNonNull(account, "account"), Objects.requireNonNull(io, "io"));
  }

  @Override
  public Flux<Block> apply(Flux<Block> input) {
    Flux<Block> shuffled = Flux.usingWhen(
        exchange.partition(input, Partitioning.random(partitions, seed)),
        parts -> Flux.range(0, parts.count())
            .concatMap(p -> parts.read(p).collectList()
                .doOnDiscard(Block.class, Block::release)
                .filter(blocks -> !blocks.isEmpty())
                .map(blocks -> permute(blocks, new SplittableRandom(seed * 31 + p))), 0),
        parts -> reactor.core.publisher.Mono.fromRunnable(parts::close),
        (parts, e) -> reactor.core.publisher.Mono.fromRunnable(parts::close),
        parts -> reactor.core.publisher.Mono.fromRunnable(parts::close))
        .doOnDiscard(Block.class, Block::release);
    return HandOff.publishOn(shuffled, io);
  }

  /** One block in the shuffle's account with the rows of {@code blocks} in a random order. */
  private Block permute(List<Block> blocks, SplittableRandom random) {
    try (Block all = blocks.size() == 1 ? blocks.get(0) : Blocks.concat(blocks, account)) {
      int n = all.rowCount();
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
      return Blocks.take(all, order, account);
    } finally {
      if (blocks.size() > 1) {
        blocks.forEach(Block::release);
      }
    }
  }
}
