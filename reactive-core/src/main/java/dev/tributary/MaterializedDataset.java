package dev.tributary;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.Schemas;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.SpillStats;
import dev.tributary.operators.exchange.LocalExchange;
import dev.tributary.operators.exchange.Partitioning;
import dev.tributary.operators.exchange.Partitions;
import dev.tributary.operators.exchange.SpillPolicy;
import dev.tributary.plan.Read;
import dev.tributary.plan.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/**
 * A dataset whose blocks were computed once and are kept at a {@link StorageLevel}: held in
 * memory (charged to its own account) and, past the level's share of the memory limit, spilled
 * to disk. Every execution re-reads them: held blocks as zero-copy views, spilled ones restored
 * block by block. {@link #unpersist()} (or {@link #close()}) frees the memory and spill files.
 *
 * <p>The parts {@link Dataset#split}, {@link Dataset#splitAt} and {@link
 * Dataset#trainTestSplit} return are row ranges of one kept copy: it is freed once every part is
 * unpersisted.
 */
public final class MaterializedDataset extends Dataset implements AutoCloseable {
  private final Kept kept;
  /** The first kept row this dataset reads. */
  private final long from;
  private final long rows;
  private final AtomicBoolean closed;

  private MaterializedDataset(Read plan, DataContext context, TributaryRuntime runtime, Kept kept,
      long from, long rows, AtomicBoolean closed) {
    super(plan, context, runtime);
    this.kept = kept;
    this.from = from;
    this.rows = rows;
    this.closed = closed;
  }

  /** The blocks kept once, shared by the parts of a split until the last is unpersisted. */
  private static final class Kept {
    private final Partitions blocks;
    private final Account account;
    private final StorageLevel level;
    private final OperatorStats stats;
    private final Schema schema;
    private final AtomicInteger users = new AtomicInteger();

    Kept(Partitions blocks, Account account, StorageLevel level, OperatorStats stats,
        Schema schema) {
      this.blocks = blocks;
      this.account = account;
      this.level = level;
      this.stats = stats;
      this.schema = schema;
    }

    /** A dataset reading rows [from, to) of the kept blocks. */
    MaterializedDataset view(DataContext context, TributaryRuntime runtime, long from, long to) {
      users.incrementAndGet();
      AtomicBoolean closed = new AtomicBoolean();
      boolean whole = from == 0 && to == blocks.rowCount(0);
      Source rereads = Source.of("Materialized[" + blocks.blockCount(0) + " blocks, " + level
          + (whole ? "" : ", rows " + from + ".." + to) + "]",
          (out, settings, st) -> Flux.defer(() -> {
            if (closed.get()) {
              return Flux.error(new IllegalStateException("materialized dataset is unpersisted"));
            }
            long[] offset = {0};
            return blocks.read(0)
                .takeWhile(b -> {
                  if (offset[0] < to) {
                    return true;
                  }
                  b.release(); // past the range: the read stops here
                  return false;
                })
                .<Block>handle((b, sink) -> {
                  try (b) {
                    long start = offset[0];
                    offset[0] += b.rowCount();
                    int lo = (int) Math.max(0, from - start);
                    int hi = (int) Math.min(b.rowCount(), to - start);
                    if (lo < hi) {
                      if (lo == 0 && hi == b.rowCount()) {
                        sink.next(Blocks.project(b, Blocks.identity(b), out));
                      } else {
                        try (Block part = b.slice(lo, hi - lo)) {
                          sink.next(Blocks.project(part, Blocks.identity(part), out));
                        }
                      }
                    }
                  }
                })
                .doOnDiscard(Block.class, Block::release);
          }),
          () -> schema, () -> to - from);
      return new MaterializedDataset(new Read(rereads), context, runtime, this, from, to - from,
          closed);
    }

    void release() {
      if (users.decrementAndGet() == 0) {
        blocks.close();
        account.closeWhenEmpty();
      }
    }
  }

  static MaterializedDataset of(Dataset source, StorageLevel level) {
    DataContext context = source.context();
    TributaryRuntime runtime = source.runtime();
    // Held outside any execution, in the runtime's arena, until the dataset is unpersisted.
    Account account = runtime.arena().openAccount("Materialized");
    long budget = (long) (Math.min(context.memoryLimit(), runtime.memoryLimit())
        * level.memoryShare());
    OperatorStats stats = new OperatorStats("Materialized").account(account);
    LocalExchange exchange = LocalExchange.of("materialize(" + level + ")", account,
            runtime.ioScheduler(), context.spill())
        .policy(level == StorageLevel.MEMORY_ONLY ? SpillPolicy.NEVER
            : level == StorageLevel.DISK_ONLY ? SpillPolicy.ALWAYS
            : SpillPolicy.WHEN_OVER_BUDGET)
        .budget(() -> budget)
        .stats(stats);
    AtomicReference<Schema> schema = new AtomicReference<>();
    AtomicBoolean unified = new AtomicBoolean(true);
    Partitions held;
    try {
      held = source.executeToEnd((e, flux) -> exchange.partition(
          flux.doOnNext(b -> unify(schema, unified, b)), Partitioning.single())).block();
    } catch (RuntimeException e) {
      account.closeWhenEmpty();
      throw e;
    }
    Kept kept = new Kept(held, account, level, stats, unified.get() ? schema.get() : null);
    return kept.view(context, runtime, 0, held.rowCount(0));
  }

  /**
   * Unifies the blocks' schemas as they arrive (a column null in every row of some blocks takes
   * the type others give it); when they do not unify the schema stays unknown, and consumers
   * that combine blocks report the mismatch.
   */
  private static void unify(AtomicReference<Schema> schema, AtomicBoolean unified, Block b) {
    if (!unified.get()) {
      return;
    }
    try {
      Schema s = schema.get();
      schema.set(s == null ? b.schema() : Schemas.unify(s, b.schema(), "materialize"));
    } catch (SchemaMismatchException e) {
      unified.set(false);
    }
  }

  /**
   * Parts of this dataset cut at the row {@code indices} (ascending, within its row count),
   * sharing its kept blocks (nothing is copied or recomputed); each part is unpersisted on its
   * own, the blocks freed with the last.
   *
   * @throws IllegalArgumentException if the indices are not ascending within the row count
   */
  @Override
  public List<MaterializedDataset> splitAt(long... indices) {
    Objects.requireNonNull(indices, "indices");
    long start = 0;
    for (int i = 0; i < indices.length; i++) {
      if (indices[i] < start || indices[i] > rows) {
        throw new IllegalArgumentException("split index " + indices[i] + " at position " + i
            + " is not within [" + start + ", " + rows + "]");
      }
      start = indices[i];
    }
    // Checked first: no part is made (and kept) unless all can be.
    List<MaterializedDataset> parts = new ArrayList<>(indices.length + 1);
    start = 0;
    for (int i = 0; i <= indices.length; i++) {
      long to = i < indices.length ? indices[i] : rows;
      parts.add(kept.view(context(), runtime(), from + start, from + to));
      start = to;
    }
    return parts;
  }

  /** The rows it holds. */
  long rows() {
    return rows;
  }

  /** The storage level it was materialized at. */
  public StorageLevel storageLevel() {
    return kept.level;
  }

  /** How many blocks are kept (in memory and on disk), for all parts of a split together. */
  public int blockCount() {
    return kept.blocks.blockCount(0);
  }

  /** The bytes kept in memory, for all parts of a split together. */
  public long sizeBytes() {
    return kept.account.heldBytes();
  }

  /** What was spilled to disk and restored so far. */
  public SpillStats spillStats() {
    return kept.stats.snapshot().spills();
  }

  /**
   * Frees the kept blocks, in memory and on disk (for a part of a split, once every part is
   * unpersisted); executions that already started may fail.
   */
  public void unpersist() {
    if (closed.compareAndSet(false, true)) {
      kept.release();
    }
  }

  /** Same as {@link #unpersist()}. */
  @Override
  public void close() {
    unpersist();
  }
}
