package dev.tributary.operators.aggregate;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import dev.tributary.operators.HashPartitioner;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.PartitionedBlocks;
import dev.tributary.operators.RunGuard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A function over each whole group (Ray Data's {@code map_groups}): the input is
 * hash-partitioned by the key columns ({@link PartitionedBlocks}, spilling beyond its budget);
 * then each partition is read back, its rows ordered by group, and the function called once per
 * group with an Arrow batch of all of the group's rows (in input order). It returns the batch
 * itself or a new one allocated with the allocator it is given (charged to the operator). A
 * partition must fit in memory; groups come out partition by partition.
 */
public final class MapGroups implements Function<Flux<Block>, Flux<Block>> {
  /** Partitions the input is cut into. */
  static final int PARTITIONS = 16;

  private final List<String> keys;
  private final BiFunction<VectorSchemaRoot, BufferAllocator, VectorSchemaRoot> fn;
  private final Account account;
  private final Scheduler io;
  private final Path spillDirectory;
  private final OperatorStats stats;

  private MapGroups(List<String> keys,
      BiFunction<VectorSchemaRoot, BufferAllocator, VectorSchemaRoot> fn, Account account,
      Scheduler io, Path spillDirectory, OperatorStats stats) {
    this.keys = keys;
    this.fn = fn;
    this.account = account;
    this.io = io;
    this.spillDirectory = spillDirectory;
    this.stats = stats;
  }

  /**
   * {@code fn} over each group of {@code keys} in {@code account} (whose budget decides when
   * the partitioned input spills), read on {@code io}, spilling under {@code spillDirectory}.
   */
  public static MapGroups of(List<String> keys,
      BiFunction<VectorSchemaRoot, BufferAllocator, VectorSchemaRoot> fn, Account account,
      Scheduler io, Path spillDirectory, OperatorStats stats) {
    List<String> k = List.copyOf(keys);
    if (k.isEmpty()) {
      throw new IllegalArgumentException("mapGroups needs at least one key column");
    }
    return new MapGroups(k, Objects.requireNonNull(fn, "fn"),
        Objects.requireNonNull(account, "account"), Objects.requireNonNull(io, "io"),
        Objects.requireNonNull(spillDirectory, "spillDirectory"),
        Objects.requireNonNull(stats, "stats"));
  }

  @Override
  public Flux<Block> apply(Flux<Block> input) {
    return Flux.defer(() -> {
      Run run = new Run();
      return HandOff.consume(input, io, b -> run.guard.step(() -> run.add(b), b))
          .thenMany(Flux.range(0, PARTITIONS).concatMap(p ->
              Mono.fromCallable(() -> run.groups(p)).subscribeOn(io)
                  .flatMapIterable(blocks -> blocks), 0))
          .filter(run.outputs::take)
          .doFinally(signal -> run.guard.close());
    }).doOnDiscard(Block.class, Block::release);
  }

  /** One subscription's partitions and outputs. */
  private final class Run {
    final HandOff outputs = new HandOff();
    final RunGuard guard = new RunGuard(this::free, io);
    /** Where the pieces wait: beside the account the input's governor watches. */
    private final Account held = account.sibling(account.name() + ".held");
    private final PartitionedBlocks partitions = new PartitionedBlocks(
        new HashPartitioner(keys, PARTITIONS), held, account::budgetBytes, spillDirectory, stats);

    void add(Block block) {
      stats.recordIn(block);
      partitions.add(block);
    }

    /** The function's outputs for every group of partition {@code partition}. */
    List<Block> groups(int partition) {
      List<Block> out = new ArrayList<>();
      guard.step(() -> {
        List<Block> pieces = partitions.take(partition);
        if (pieces.isEmpty()) {
          return;
        }
        Block all;
        try {
          all = pieces.size() == 1 ? pieces.get(0) : Blocks.concat(pieces, held);
        } finally {
          if (pieces.size() > 1) {
            pieces.forEach(Block::release);
          }
        }
        try (all) {
          int[] groupOf = new GroupTable(keys, List.of(), all.schema()).assign(all);
          int[] order = GroupRows.order(groupOf, all.rowCount());
          for (int start = 0; start < order.length; ) {
            int end = start;
            while (end < order.length && groupOf[order[end]] == groupOf[order[start]]) {
              end++;
            }
            try (Block group = Blocks.take(all, Arrays.copyOfRange(order, start, end), account)) {
              VectorSchemaRoot result = stats.timeUser(() ->
                  fn.apply(group.root(), account.allocator()));
              if (result == null) {
                throw new IllegalStateException("the group function returned null; return a batch");
              }
              // Moved (zero-copy) into a block of its own, whether the function returned the
              // group, a new batch or a mix: closing the group then frees only what it lost.
              Block b = Block.adopt(result, account);
              outputs.offer(b);
              out.add(b);
            }
            start = end;
          }
        }
      }, null);
      return out;
    }

    private void free() {
      outputs.close();
      partitions.close();
      held.closeWhenEmpty();
    }
  }
}
