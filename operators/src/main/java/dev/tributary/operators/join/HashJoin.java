package dev.tributary.operators.join;

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
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A hash join of a left (probe) input with a right (build) input on equal key columns. The right
 * side is read first, hash-partitioned into its account; if it stays within the account's
 * budget, it becomes one hash table and the left side streams through it (a broadcast join,
 * left order kept). Otherwise its partitions spill ({@link PartitionedBlocks}), the left side is
 * partitioned the same way (spilling too), and each partition pair is joined in memory (a grace
 * hash join; output in partition order). Null keys never match. Output columns: the keys once,
 * the left's other columns, the right's other columns ({@link JoinType#leftColumnsOnly() semi
 * and anti}: the left's only); the caller makes sure no other name is on both sides.
 *
 * <p>Both sides are read on the I/O scheduler (the spill store blocks). A cancel or error
 * releases everything held and deletes the spill files.
 */
public final class HashJoin {
  /** Rows per output block at most. */
  public static final int OUTPUT_ROWS = 1 << 16;
  /** Partitions of the build (and, when it spills, probe) side. */
  static final int PARTITIONS = 16;

  private final List<String> keys;
  private final JoinType type;
  private final Account probeAccount;
  private final Account buildAccount;
  private final Scheduler io;
  private final Path spillDirectory;
  private final OperatorStats stats;
  private final Schema knownLeft;
  private final Schema knownRight;

  private HashJoin(List<String> keys, JoinType type, Account probeAccount, Account buildAccount,
      Scheduler io, Path spillDirectory, OperatorStats stats, Schema knownLeft,
      Schema knownRight) {
    this.keys = keys;
    this.type = type;
    this.probeAccount = probeAccount;
    this.buildAccount = buildAccount;
    this.io = io;
    this.spillDirectory = spillDirectory;
    this.stats = stats;
    this.knownLeft = knownLeft;
    this.knownRight = knownRight;
  }

  /**
   * A {@code type} join on {@code keys}: the left side's blocks and the output in {@code
   * probeAccount}, the right side's in {@code buildAccount} (whose budget decides broadcast or
   * grace), both read on {@code io}; spilling under {@code spillDirectory}, counted in {@code
   * stats}.
   */
  public static HashJoin of(List<String> keys, JoinType type, Account probeAccount,
      Account buildAccount, Scheduler io, Path spillDirectory, OperatorStats stats) {
    List<String> k = List.copyOf(keys);
    if (k.isEmpty()) {
      throw new IllegalArgumentException("a join needs at least one key column");
    }
    return new HashJoin(k, Objects.requireNonNull(type, "type"),
        Objects.requireNonNull(probeAccount, "probeAccount"),
        Objects.requireNonNull(buildAccount, "buildAccount"), Objects.requireNonNull(io, "io"),
        Objects.requireNonNull(spillDirectory, "spillDirectory"),
        Objects.requireNonNull(stats, "stats"), null, null);
  }

  /**
   * The same join, knowing the sides' schemas before any block comes (either may be null), so
   * that an empty side still gives the output its columns.
   */
  public HashJoin schemas(Schema left, Schema right) {
    return new HashJoin(keys, type, probeAccount, buildAccount, io, spillDirectory, stats, left,
        right);
  }

  /**
   * Checks two inputs' schemas for a join on {@code keys}: both have every key, of the same
   * Arrow type.
   *
   * @throws dev.tributary.memory.ColumnException if a side lacks a key
   * @throws JoinKeyMismatchException if a key's types differ, naming both
   */
  public static void checkKeys(List<String> keys, Schema left, Schema right) {
    JoinKeys.check(keys, left, right);
  }

  /** The joined rows of {@code left} and {@code right}; each subscription joins anew. */
  public Flux<Block> apply(Flux<Block> left, Flux<Block> right) {
    return Flux.defer(() -> {
      Run run = new Run();
      Mono<Void> build = HandOff.consume(right, io, b -> run.guard.step(() -> run.build(b), b));
      Flux<Block> leftIn = HandOff.publishOn(left, io);
      Flux<Block> probe = Flux.defer(() -> {
        if (!run.broadcast()) {
          return leftIn
              .doOnNext(b -> run.guard.step(() -> run.partitionProbe(b), b))
              .thenMany(Flux.range(0, PARTITIONS).concatMap(p ->
                  Mono.fromCallable(() -> run.joinPartition(p)).subscribeOn(io)
                      .repeat()
                      .takeUntil(Step::last)
                      .concatMapIterable(Step::blocks), 0));
        }
        return leftIn
            .concatMapIterable(b -> run.probeBroadcast(b), 1)
            .concatWith(Mono.fromCallable(run::unmatchedBroadcast).subscribeOn(io)
                .flatMapIterable(blocks -> blocks));
      });
      return build.thenMany(probe)
          .filter(run.outputs::take)
          .doFinally(signal -> run.guard.close());
    }).doOnDiscard(Block.class, Block::release);
  }

  /** Output blocks of one step of a partition; {@code last} when the partition is done. */
  private record Step(List<Block> blocks, boolean last) {}

  /** One subscription's build side, probe side, tables and outputs. */
  private final class Run {
    final HandOff outputs = new HandOff();
    final RunGuard guard = new RunGuard(this::free, io);
    /** Where the pieces of each side wait: beside the accounts their governors watch. */
    private final Account buildHeld = buildAccount.sibling(buildAccount.name() + ".held");
    private final Account probeHeld = probeAccount.sibling(probeAccount.name() + ".held");
    private final PartitionedBlocks buildSide = new PartitionedBlocks(
        new HashPartitioner(keys, PARTITIONS), buildHeld, buildAccount::budgetBytes,
        spillDirectory, stats);
    private PartitionedBlocks probeSide;
    private BuildTable table;
    private Schema rightSchema;
    private Schema leftSchema;

    void build(Block block) {
      if (rightSchema == null) {
        rightSchema = block.schema();
      }
      stats.recordIn(block);
      buildSide.add(block);
    }

    /** Whether the build side stayed in memory: then it becomes one table now. */
    boolean broadcast() {
      if (!buildSide.spilled() && buildHeld.heldBytes()
          + buildSide.rows() * BuildTable.HEAP_BYTES_PER_ROW > buildAccount.budgetBytes()) {
        // The rows fit, their index beside them would not: join partition by partition.
        buildSide.spillAll();
      }
      if (buildSide.spilled()) {
        return false;
      }
      guard.step(() -> table = new BuildTable(buildSide.takeAll(), keys, buildHeld), null);
      return true;
    }

    List<Block> probeBroadcast(Block block) {
      List<Block> out = new ArrayList<>();
      guard.step(() -> join(block, table, out), block);
      return out;
    }

    List<Block> unmatchedBroadcast() {
      List<Block> out = new ArrayList<>();
      guard.step(() -> unmatched(table, out), null);
      return out;
    }

    void partitionProbe(Block block) {
      if (probeSide == null) {
        probeSide = new PartitionedBlocks(new HashPartitioner(keys, PARTITIONS), probeHeld,
            probeAccount::budgetBytes, spillDirectory, stats);
      }
      stats.recordIn(block);
      checkLeft(block);
      probeSide.add(block);
    }

    /**
     * The next step of partition {@code partition}: its table built (on the first step), one
     * probe piece joined, or, when none is left, its unmatched right rows and the table freed.
     */
    Step joinPartition(int partition) {
      List<Block> out = new ArrayList<>();
      boolean[] last = {true};
      guard.step(() -> {
        if (table == null) {
          table = new BuildTable(buildSide.take(partition), keys, buildHeld);
        }
        Block piece = probeSide == null ? null : probeSide.next(partition);
        if (piece != null) {
          try (piece) {
            join(piece, table, out);
          }
          last[0] = false;
          return;
        }
        try {
          unmatched(table, out);
        } finally {
          table.close();
          table = null;
        }
      }, null);
      return new Step(out, last[0]);
    }

    private void checkLeft(Block block) {
      if (leftSchema == null) {
        leftSchema = block.schema();
        if (rightSchema != null) {
          JoinKeys.check(keys, leftSchema, rightSchema);
        }
      }
    }

    /** The output rows of a probe block against {@code t}, into {@code out}. */
    private void join(Block block, BuildTable t, List<Block> out) {
      checkLeft(block);
      int rows = block.rowCount();
      BuildTable.Probe probe = t.probe(block);
      int[] l = new int[Math.max(16, rows)];
      int[] r = new int[l.length];
      int n = 0;
      for (int i = 0; i < rows; i++) {
        int first = probe.first(i);
        if (type == JoinType.LEFT_SEMI || type == JoinType.LEFT_ANTI) {
          if ((first >= 0) == (type == JoinType.LEFT_SEMI)) {
            l[n++] = i;
          }
          continue;
        }
        if (first < 0 && type.keepsUnmatchedLeft()) {
          if (n == l.length) {
            l = Arrays.copyOf(l, n * 2);
            r = Arrays.copyOf(r, n * 2);
          }
          l[n] = i;
          r[n++] = -1;
        }
        for (int m = first; m >= 0; m = t.next(m)) {
          if (n == l.length) {
            l = Arrays.copyOf(l, n * 2);
            r = Arrays.copyOf(r, n * 2);
          }
          l[n] = i;
          r[n++] = m;
          t.matched[m] = true;
        }
        if (n >= OUTPUT_ROWS) {
          emit(block, l, t, r, n, out);
          n = 0;
        }
      }
      if (n > 0) {
        emit(block, l, t, r, n, out);
      }
    }

    private void emit(Block block, int[] l, BuildTable t, int[] r, int n, List<Block> out) {
      Block b = type.leftColumnsOnly() ? Blocks.take(block, Arrays.copyOf(l, n), probeAccount)
          : output().pairs(block, l, t.rows, r, 0, n, probeAccount);
      outputs.offer(b);
      out.add(b);
    }

    /** The right rows of {@code t} no left row matched, for right and full outer joins. */
    private void unmatched(BuildTable t, List<Block> out) {
      if (!type.keepsUnmatchedRight() || t.rows == null) {
        return;
      }
      int[] r = t.unmatched();
      int[] l = new int[r.length];
      Arrays.fill(l, -1);
      for (int from = 0; from < r.length; from += OUTPUT_ROWS) {
        Block b = output().pairs(null, l, t.rows, r, from, Math.min(r.length, from + OUTPUT_ROWS),
            probeAccount);
        outputs.offer(b);
        out.add(b);
      }
    }

    private JoinOutput output() {
      Schema left = leftSchema != null ? leftSchema : knownLeft;
      Schema right = rightSchema != null ? rightSchema : knownRight;
      // A side never seen and not known: its key columns only (from the other side).
      Schema keysOnly = new Schema((left != null ? left : right).getFields().stream()
          .filter(f -> keys.contains(f.getName())).toList());
      return new JoinOutput(keys, left != null ? left : keysOnly,
          right != null ? right : keysOnly);
    }

    private void free() {
      outputs.close();
      if (table != null) {
        table.close();
        table = null;
      }
      buildSide.close();
      if (probeSide != null) {
        probeSide.close();
      }
      buildHeld.closeWhenEmpty();
      probeHeld.closeWhenEmpty();
    }
  }
}
