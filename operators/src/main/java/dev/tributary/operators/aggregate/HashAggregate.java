package dev.tributary.operators.aggregate;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import dev.tributary.memory.HeapCharge;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.RunGuard;
import dev.tributary.operators.SpillPartitions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Hash aggregation: groups rows by the values of key columns (or takes all rows as one group)
 * and computes several {@link Aggregate}s per group. Each input block is accumulated into a hash
 * table of per-group states in tight loops over its Arrow buffers, then released. When the
 * table's size reaches its account's budget, its groups are hash-partitioned and written as
 * partial-state blocks to a spill store ({@link SpillPartitions}), and a fresh table starts; at
 * the end, each partition's partials are read back and merged (a final merge), and its groups
 * emitted. Without spills, the one table is emitted as it is. Output: the key columns, then one
 * column per aggregation; groups in no particular order, at most {@link #OUTPUT_ROWS} per block.
 *
 * <p>Input is taken and spilled on the given I/O scheduler (the spill store blocks). A cancel or
 * error releases the table, any block in hand, and deletes the spill file. The table lives on
 * the heap: its size is estimated from its groups and states after every block and charged to
 * the account ({@link HeapCharge}), so the governor, the execution's and the arena's peak and
 * their hard limits see it; the table spills when it passes the account's budget or a hard limit
 * refuses its growth (the charge is released as the spill starts: its partials take its place).
 * A global aggregation (one group) never spills: past a hard limit it fails with {@link
 * dev.tributary.memory.MemoryLimitExceededException}, as does a spilled partition whose merged
 * groups do not fit. Restored partials and output blocks are charged to the account.
 */
public final class HashAggregate implements Function<Flux<Block>, Flux<Block>> {
  /** Groups per output block. */
  public static final int OUTPUT_ROWS = 1 << 16;
  /** Partitions the table is cut into when it spills. */
  static final int SPILL_PARTITIONS = 16;
  /** The table may always reach this size before it spills, whatever the budget. */
  static final long MIN_TABLE_BYTES = 64 << 10;

  private final List<String> keys;
  private final List<Aggregate> aggregates;
  private final Account account;
  private final Scheduler io;
  private final Schema known;
  private final Path spillDirectory;
  private final OperatorStats stats;

  private HashAggregate(List<String> keys, List<Aggregate> aggregates, Account account,
      Scheduler io, Schema known, Path spillDirectory, OperatorStats stats) {
    this.keys = keys;
    this.aggregates = aggregates;
    this.account = account;
    this.io = io;
    this.known = known;
    this.spillDirectory = spillDirectory;
    this.stats = stats;
  }

  /**
   * Aggregates by {@code keys} (none: one group of all rows, also of no rows) into {@code
   * account}, taking input and spilling on {@code io}, spilling under the system's temporary
   * directory unless {@link #spillTo} says otherwise.
   *
   * @throws IllegalArgumentException if there is no aggregation, or two output columns share a name
   */
  public static HashAggregate of(List<String> keys, List<Aggregate> aggregates, Account account,
      Scheduler io) {
    List<String> k = List.copyOf(keys);
    List<Aggregate> a = List.copyOf(aggregates);
    if (a.isEmpty()) {
      throw new IllegalArgumentException("an aggregation needs at least one aggregate");
    }
    List<String> names = new ArrayList<>(k);
    a.forEach(x -> names.add(x.name()));
    if (names.stream().distinct().count() != names.size()) {
      throw new IllegalArgumentException("output columns must have distinct names, were " + names
          + "; name aggregations with as(...)");
    }
    return new HashAggregate(k, a, Objects.requireNonNull(account, "account"),
        Objects.requireNonNull(io, "io"), null,
        Path.of(System.getProperty("java.io.tmpdir"), "tributary-spill"),
        new OperatorStats("HashAggregate"));
  }

  /** The same operator, spilling into {@code directory}. */
  public HashAggregate spillTo(Path directory) {
    return new HashAggregate(keys, aggregates, account, io, known,
        Objects.requireNonNull(directory, "directory"), stats);
  }

  /** The same operator, counting into {@code stats} (spill and restore included). */
  public HashAggregate stats(OperatorStats stats) {
    return new HashAggregate(keys, aggregates, account, io, known, spillDirectory,
        Objects.requireNonNull(stats, "stats"));
  }

  /**
   * The same operator, knowing its input's schema before any block comes (a global aggregation
   * of no rows then still has typed columns).
   */
  public HashAggregate input(Schema schema) {
    return new HashAggregate(keys, aggregates, account, io, schema, spillDirectory, stats);
  }

  /** The output column names: the keys, then the aggregations'. */
  public List<String> columns() {
    List<String> out = new ArrayList<>(keys);
    aggregates.forEach(a -> out.add(a.name()));
    return out;
  }

  @Override
  public Flux<Block> apply(Flux<Block> input) {
    return Flux.defer(() -> {
      Run run = new Run();
      return HandOff.consume(input, io, b -> run.step(() -> run.add(b), b))
          .thenMany(Flux.defer(() -> Flux.range(0, run.outputParts())
              .concatMap(part -> Mono.fromCallable(() -> run.output(part))
                  .subscribeOn(io)
                  .flatMapMany(Flux::fromIterable), 0)))
          .filter(run.outputs::take)
          .doFinally(signal -> run.close());
    }).doOnDiscard(Block.class, Block::release);
  }

  /** One subscription's table, spill and outputs. */
  private final class Run {
    /** Output blocks made and not yet handed on (released if the stream ends first). */
    final HandOff outputs = new HandOff();
    private GroupTable table;
    /** The first block's schema: what every table of this run is typed by. */
    private Schema input;
    private SpillPartitions spill;
    /** The heap bytes of the table being built or merged, charged to the account. */
    private final HeapCharge charge = account.heapCharge();
    private final RunGuard guard = new RunGuard(this::free, io);

    void step(Runnable work, Block block) {
      guard.step(work, block);
    }

    void add(Block block) {
      if (table == null) {
        input = block.schema();
        table = new GroupTable(keys, aggregates, input);
      }
      stats.recordIn(block);
      table.accumulate(block, account);
      long bytes = table.heapBytes();
      if (keys.isEmpty()) {
        // One group: partitions would split it, so it never spills.
        charge.set(bytes);
      } else {
        // Charged first, so that the peak shows the table at its largest, spill included.
        boolean charged = charge.trySet(bytes);
        if (!charged || bytes > Math.max(MIN_TABLE_BYTES, account.budgetBytes())) {
          spillTable();
        }
      }
    }

    /** Writes the table's groups as partial blocks, one per partition, and starts afresh. */
    private void spillTable() {
      // The table is on its way out: the room its charge held is what its partials, written
      // one at a time, are made in (at a limit it filled, nothing else would be left for them).
      charge.trySet(0);
      if (spill == null) {
        spill = new SpillPartitions(spillDirectory, SPILL_PARTITIONS, stats);
      }
      int[] partitionOf = table.partitions(SPILL_PARTITIONS);
      for (int p = 0; p < SPILL_PARTITIONS; p++) {
        int part = p;
        int[] groups = IntStream.range(0, partitionOf.length)
            .filter(g -> partitionOf[g] == part).toArray();
        if (groups.length > 0) {
          try (Block partial = table.partial(groups, account)) {
            spill.put(p, partial);
          }
        }
      }
      table = new GroupTable(keys, aggregates, input);
    }

    /** How many output steps there are: one table, or one per spill partition. */
    int outputParts() {
      return spill == null ? 1 : SPILL_PARTITIONS;
    }

    /** The output blocks of part {@code part} (in transit until handed on). */
    List<Block> output(int part) {
      List<Block> out = new ArrayList<>();
      step(() -> {
        Schema schema = input != null ? input : known != null ? known : emptyInput();
        GroupTable result;
        if (spill == null) {
          result = table != null ? table : new GroupTable(keys, aggregates, schema);
        } else {
          if (table != null && table.size() > 0) {
            spillTable(); // what the last table holds joins the partitions on disk
          }
          result = new GroupTable(keys, aggregates, schema);
          Block partial;
          while ((partial = spill.next(part, account)) != null) {
            try (Block p = partial) {
              result.merge(p);
            }
            charge.set(result.heapBytes());
          }
        }
        table = null;
        int size = result.size();
        for (int from = 0; from < size; from += OUTPUT_ROWS) {
          int[] groups = IntStream.range(from, Math.min(size, from + OUTPUT_ROWS)).toArray();
          Block block = result.finish(groups, account);
          outputs.offer(block);
          out.add(block);
        }
        charge.trySet(0);
      }, null);
      return out;
    }

    /** The schema of an input never seen: each aggregated column of Arrow's null type. */
    private Schema emptyInput() {
      List<Field> fields = new ArrayList<>();
      keys.forEach(k -> fields.add(new Field(k, FieldType.nullable(ArrowType.Null.INSTANCE),
          null)));
      for (Aggregate a : aggregates) {
        if (a.column() != null && fields.stream().noneMatch(f -> f.getName().equals(a.column()))) {
          fields.add(new Field(a.column(), FieldType.nullable(ArrowType.Null.INSTANCE), null));
        }
      }
      return new Schema(fields);
    }

    void close() {
      guard.close();
    }

    private void free() {
      outputs.close();
      table = null;
      charge.close();
      if (spill != null) {
        spill.close();
        spill = null;
      }
    }
  }
}
