package dev.tributary;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.Schemas;
import dev.tributary.operators.Blocks;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.SpillStats;
import dev.tributary.operators.exchange.LocalExchange;
import dev.tributary.operators.exchange.Partitioning;
import dev.tributary.operators.exchange.Partitions;
import dev.tributary.operators.exchange.SpillPolicy;
import dev.tributary.plan.Read;
import dev.tributary.plan.Source;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/**
 * A dataset whose blocks were computed once and are kept at a {@link StorageLevel}: held in
 * memory (charged to its own account) and, past the level's share of the memory limit, spilled
 * to disk. Every execution re-reads them: held blocks as zero-copy views, spilled ones restored
 * block by block. {@link #unpersist()} (or {@link #close()}) frees the memory and spill files.
 */
public final class MaterializedDataset extends Dataset implements AutoCloseable {
  private final Partitions blocks;
  private final Account account;
  private final StorageLevel level;
  private final OperatorStats stats;
  private final AtomicBoolean closed;

  private MaterializedDataset(Read plan, DataContext context, TributaryRuntime runtime,
      Partitions blocks, Account account, StorageLevel level, OperatorStats stats,
      AtomicBoolean closed) {
    super(plan, context, runtime);
    this.blocks = blocks;
    this.account = account;
    this.level = level;
    this.stats = stats;
    this.closed = closed;
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
    long rows = held.rowCount(0);
    AtomicBoolean closed = new AtomicBoolean();
    Schema known = unified.get() ? schema.get() : null;
    Source rereads = Source.of("Materialized[" + held.blockCount(0) + " blocks, " + level + "]",
        (out, settings, st) -> Flux.defer(() -> {
          if (closed.get()) {
            return Flux.error(new IllegalStateException("materialized dataset is unpersisted"));
          }
          return held.read(0).map(b -> {
            try (b) {
              return Blocks.project(b, Blocks.identity(b), out);
            }
          });
        }),
        () -> known, () -> rows);
    return new MaterializedDataset(new Read(rereads), context, runtime, held, account, level,
        stats, closed);
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

  /** The storage level it was materialized at. */
  public StorageLevel storageLevel() {
    return level;
  }

  /** How many blocks are kept (in memory and on disk). */
  public int blockCount() {
    return blocks.blockCount(0);
  }

  /** The bytes kept in memory. */
  public long sizeBytes() {
    return account.heldBytes();
  }

  /** What was spilled to disk and restored so far. */
  public SpillStats spillStats() {
    return stats.snapshot().spills();
  }

  /** Frees the kept blocks, in memory and on disk; executions that already started may fail. */
  public void unpersist() {
    if (closed.compareAndSet(false, true)) {
      blocks.close();
      account.closeWhenEmpty();
    }
  }

  /** Same as {@link #unpersist()}. */
  @Override
  public void close() {
    unpersist();
  }
}
