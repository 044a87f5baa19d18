package dev.tributary.operators.exchange;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Re-cuts a stream into exactly {@code n} blocks through an {@link Exchange}: without keys, rows
 * keep their order and the blocks differ by at most one row (only the rows that must move are
 * copied: a block that lies inside one output block is passed as a view); with keys, rows with
 * equal keys land in the same block (hash partitioning). Empty blocks are not emitted (fewer
 * rows than blocks, or an empty partition). Each output block is held whole in memory while it is built.
 */
public final class Repartition implements Function<Flux<Block>, Flux<Block>> {
  private final Exchange exchange;
  private final int blocks;
  private final List<String> keys;
  private final Account account;

  private Repartition(Exchange exchange, int blocks, List<String> keys, Account account) {
    this.exchange = exchange;
    this.blocks = blocks;
    this.keys = keys;
    this.account = account;
  }

  /**
   * Into {@code blocks} blocks, by hash of {@code keys} (none: in order, even sizes), built in
   * {@code account}.
   */
  public static Repartition of(Exchange exchange, int blocks, List<String> keys,
      Account account) {
    if (blocks < 1) {
      throw new IllegalArgumentException("blocks must be >= 1, was " + blocks);
    }
    return new Repartition(Objects.requireNonNull(exchange, "exchange"), blocks,
        List.copyOf(keys), Objects.requireNonNull(account, "account"));
  }

  @Override
  public Flux<Block> apply(Flux<Block> input) {
    Partitioning partitioning = keys.isEmpty() ? Partitioning.single()
        : Partitioning.hash(blocks, keys);
    return Flux.usingWhen(
        exchange.partition(input, partitioning),
        parts -> keys.isEmpty() ? evenly(parts) : byKey(parts),
        parts -> Mono.fromRunnable(parts::close),
        (parts, e) -> Mono.fromRunnable(parts::close),
        parts -> Mono.fromRunnable(parts::close))
        .doOnDiscard(Block.class, Block::release);
  }

  private Flux<Block> byKey(Partitions parts) {
    return Flux.range(0, parts.count())
        .concatMap(p -> parts.read(p).collectList()
            .doOnDiscard(Block.class, Block::release)
            .flatMap(list -> Mono.justOrEmpty(concat(list))), 0);
  }

  private Block concat(List<Block> list) {
    if (list.isEmpty()) {
      return null;
    }
    if (list.size() == 1) {
      return list.get(0);
    }
    try {
      return Blocks.concat(list, account);
    } finally {
      list.forEach(Block::release);
    }
  }

  /** Output block {@code i} gets rows [i*total/n, (i+1)*total/n). */
  private Flux<Block> evenly(Partitions parts) {
    long total = parts.rowCount(0);
    if (total == 0) {
      return Flux.empty();
    }
    Cutter cutter = new Cutter(total);
    return parts.read(0)
        .concatMapIterable(cutter::accept, 1)
        .doFinally(signal -> cutter.release());
  }

  /** Gathers slices of arriving blocks into output blocks of the planned sizes. */
  private final class Cutter {
    private final long total;
    private final List<Block> pending = new ArrayList<>();
    private long pendingRows;
    private int emitted;

    Cutter(long total) {
      this.total = total;
    }

    private long target() {
      return (emitted + 1) * total / blocks - emitted * total / blocks;
    }

    List<Block> accept(Block block) {
      List<Block> out = new ArrayList<>();
      try (block) {
        int offset = 0;
        while (offset < block.rowCount()) {
          while (target() == 0) {
            emitted++; // fewer rows than blocks: no empty blocks
          }
          long need = target() - pendingRows;
          int take = (int) Math.min(need, block.rowCount() - offset);
          pending.add(block.slice(offset, take));
          pendingRows += take;
          offset += take;
          if (pendingRows == target()) {
            out.add(concat(new ArrayList<>(pending)));
            pending.clear();
            pendingRows = 0;
            emitted++;
          }
        }
      } catch (RuntimeException e) {
        out.forEach(Block::release);
        throw e;
      }
      return out;
    }

    void release() {
      pending.forEach(Block::release);
      pending.clear();
    }
  }
}
