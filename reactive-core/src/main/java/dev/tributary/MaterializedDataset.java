package dev.tributary;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.Schemas;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.Read;
import dev.tributary.plan.Source;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/**
 * A dataset whose blocks were computed once and are held in memory, charged to its own account;
 * every execution re-reads them as zero-copy slices. Close it to release the memory.
 */
public final class MaterializedDataset extends Dataset implements AutoCloseable {
  private final List<Block> blocks;
  private final Account account;
  private final AtomicBoolean closed;

  private MaterializedDataset(
      LogicalPlan plan, DataContext context, TributaryRuntime runtime, List<Block> blocks,
      Account account, AtomicBoolean closed) {
    super(plan, context, runtime);
    this.blocks = blocks;
    this.account = account;
    this.closed = closed;
  }

  static MaterializedDataset of(Dataset source) {
    DataContext context = source.context();
    TributaryRuntime runtime = source.runtime();
    // Held outside any execution, in the runtime's arena, until the dataset is closed.
    Account account = runtime.arena().openAccount("Materialized");
    List<Block> blocks;
    try {
      blocks = source.executeToEnd((e, flux) -> flux.map(b -> b.transferTo(account))
          .collectList()
          .doOnDiscard(Block.class, Block::release)).block();
    } catch (RuntimeException e) {
      account.closeWhenEmpty();
      throw e;
    }
    List<Block> held = blocks == null ? List.of() : List.copyOf(blocks);
    long rows = held.stream().mapToLong(Block::rowCount).sum();
    AtomicBoolean closed = new AtomicBoolean();
    Schema schema = schemaOf(held);
    Source rereads = Source.of("Materialized[" + held.size() + " blocks]",
        (out, settings, stats) -> Flux.defer(() -> {
          if (closed.get()) {
            return Flux.error(new IllegalStateException("materialized dataset is closed"));
          }
          return Flux.fromIterable(held)
              .map(b -> Blocks.project(b, Blocks.identity(b), out));
        }),
        () -> schema, () -> rows);
    return new MaterializedDataset(new Read(rereads), context, runtime, held, account, closed);
  }

  /**
   * The held blocks' schemas unified (a column null in every row of some blocks takes the type
   * others give it), or null when there are none or they do not unify: consumers that combine
   * blocks report that mismatch.
   */
  private static Schema schemaOf(List<Block> held) {
    Schema schema = null;
    try {
      for (Block b : held) {
        schema = schema == null ? b.schema() : Schemas.unify(schema, b.schema(), "materialize");
      }
      return schema;
    } catch (SchemaMismatchException e) {
      return null;
    }
  }

  /** How many blocks are held. */
  public int blockCount() {
    return blocks.size();
  }

  /** The bytes held. */
  public long sizeBytes() {
    return blocks.stream().mapToLong(Block::sizeBytes).sum();
  }

  /** Releases the held blocks; executions that already started keep their slices. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      blocks.forEach(Block::release);
      account.closeWhenEmpty();
    }
  }
}
