package dev.tributary.operators.aggregate;

import dev.tributary.columnar.Schemas;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import dev.tributary.memory.HeapCharge;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.RunGuard;
import dev.tributary.operators.SpillPartitions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * table's size reaches its account's budget, its groups are cut into hash partitions and the
 * largest partitions go to disk, as partial-state blocks in a spill store ({@link
 * SpillPartitions}), until at most half the groups are left; the rest stay in the table (hybrid
 * hash aggregation: a partition in memory is never written, whatever the number of spills). A
 * partition once on disk stays there: its groups are written at every later spill. At the end,
 * the partitions in memory are emitted from the table, then each partition on disk is read back
 * and merged (a final merge) and its groups emitted. Output: the key columns, then one column
 * per aggregation; groups in no particular order, at most {@link #OUTPUT_ROWS} per block.
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
 *
 * <p>The table is typed by the first block whose key and aggregated columns have types: blocks
 * before it in which one of those is of Arrow's null type (all nulls, as an empty part's result
 * is) are held, then read as the typed schema's nulls, as are such blocks later. Typing the
 * table by an untyped block would read a later block's values with the wrong reader.
 */
public final class HashAggregate implements Function<Flux<Block>, Flux<Block>> {
  /** Groups per output block. */
  public static final int OUTPUT_ROWS = 1 << 16;
  /** Partitions the table is cut into when it spills. */
  static final int SPILL_PARTITIONS = 16;
  /** The table may always reach this size before it spills, whatever the budget. */
  static final long MIN_TABLE_BYTES = 64 << 10;
  /**
   * Blocks held before the table is typed while the columns it reads are of Arrow's null type
   * (an empty part's result, for instance); past it the table takes their types.
   */
  static final int MAX_UNTYPED_BLOCKS = 64;

  private final List<String> keys;
  private final List<Aggregate> aggregates;
  /** The columns the keys and aggregations read. */
  private final List<String> read;
  /** What a global aggregation's memory error advises (it cannot spill). */
  private final String globalAdvice;
  private final Account account;
  private final Scheduler io;
  private final Schema known;
  private final Path spillDirectory;
  private final OperatorStats stats;

  private HashAggregate(List<String> keys, List<Aggregate> aggregates, Account account,
      Scheduler io, Schema known, Path spillDirectory, OperatorStats stats) {
    this.keys = keys;
    this.aggregates = aggregates;
    List<String> read = new ArrayList<>(keys);
    aggregates.stream().map(Aggregate::column).filter(Objects::nonNull).forEach(read::add);
    this.read = List.copyOf(read);
    this.globalAdvice = "A global " + aggregates.stream().map(Aggregate::name).toList()
        + " keeps its values in memory and cannot spill: use Dataset.unique(column), a groupBy,"
        + " or sort (which spill), or raise the memory limit.";
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
    /** The first typed block's schema: what every table of this run is typed by. */
    private Schema input;
    /** Blocks come before any typed one: held (retained) until the table is typed. */
    private final List<Block> untyped = new ArrayList<>();
    private SpillPartitions spill;
    /** The partitions whose groups went to disk: merged back from there at the end. */
    private final boolean[] onDisk = new boolean[SPILL_PARTITIONS];
    /** While the last table is emitted after a spill: its groups by partition. */
    private int[][] finalMembers;
    /** The heap bytes of the table being built or merged, charged to the account. */
    private final HeapCharge charge = account.heapCharge();
    private final RunGuard guard = new RunGuard(this::free, io);

    void step(Runnable work, Block block) {
      guard.step(work, block);
    }

    void add(Block block) {
      if (table == null) {
        if (untypedColumns(block.schema()) && untyped.size() < MAX_UNTYPED_BLOCKS) {
          untyped.add(block.retain());
          return;
        }
        startTable(block.schema());
      }
      accumulate(block);
    }

    /** Whether a column the table reads is of Arrow's null type in {@code schema}. */
    private boolean untypedColumns(Schema schema) {
      for (Field f : schema.getFields()) {
        if (f.getType() instanceof ArrowType.Null && read.contains(f.getName())) {
          return true;
        }
      }
      return false;
    }

    /**
     * Types the table by {@code typed} (null: by the held blocks alone) unified with the held
     * blocks' schemas, then accumulates the held blocks.
     */
    private void startTable(Schema typed) {
      Schema schema = typed;
      for (Block b : untyped) {
        schema = schema == null ? b.schema() : Schemas.unify(schema, b.schema(), "aggregate");
      }
      input = schema;
      table = new GroupTable(keys, aggregates, input);
      List<Block> held = List.copyOf(untyped);
      untyped.clear();
      for (int i = 0; i < held.size(); i++) {
        try (Block b = held.get(i)) {
          accumulate(b);
        } catch (RuntimeException e) {
          held.subList(i + 1, held.size()).forEach(Block::release);
          throw e;
        }
      }
    }

    /** Accumulates {@code block}, its untyped columns read as the table's types' nulls. */
    private void accumulate(Block block) {
      stats.recordIn(block);
      Schema schema = block.schema();
      if (!untypedColumns(schema) || schema.equals(input)) {
        table.accumulate(block, account);
      } else {
        try (Block typed = Schemas.conform(block, Schemas.unify(input, schema, "aggregate"),
            account)) {
          table.accumulate(typed, account);
        }
      }
      long bytes = table.heapBytes();
      if (keys.isEmpty()) {
        // One group: partitions would split it, so it never spills. Only aggregations that
        // keep values (unique, quantile, user ones) grow: the error says what to use instead.
        charge.set(bytes, globalAdvice);
      } else {
        // Charged first, so that the peak shows the table at its largest, spill included.
        boolean charged = charge.trySet(bytes);
        if (!charged || bytes > Math.max(MIN_TABLE_BYTES, account.budgetBytes())) {
          spillTable();
        }
      }
    }

    /**
     * Writes the groups of the partitions on disk as partial blocks, first adding the largest
     * partitions still in memory to them until at most half the groups are left, and keeps the
     * rest in a new table (rebuilt from their partials: their states move, they are not
     * written). If the kept table cannot be charged, it goes to disk too.
     */
    private void spillTable() {
      // The table is on its way out: the room its charge held is what its partials, written
      // one at a time, are made in (at a limit it filled, nothing else would be left for them).
      charge.trySet(0);
      if (spill == null) {
        spill = new SpillPartitions(spillDirectory, SPILL_PARTITIONS, stats);
      }
      int[][] members = table.groupsByPartition(SPILL_PARTITIONS);
      sendLargestToDisk(members, table.size() / 2);
      GroupTable kept = new GroupTable(keys, aggregates, input);
      for (int p = 0; p < SPILL_PARTITIONS; p++) {
        if (members[p].length > 0) {
          try (Block partial = table.partial(members[p], account)) {
            if (onDisk[p]) {
              spill.put(p, partial);
            } else {
              kept.merge(partial);
            }
          }
        }
      }
      table = kept;
      if (!charge.trySet(kept.heapBytes()) && kept.size() > 0) {
        Arrays.fill(onDisk, true);
        spillTable();
      }
    }

    /** Marks the largest partitions in memory as on disk until at most {@code most} groups stay. */
    private void sendLargestToDisk(int[][] members, int most) {
      int inMemory = 0;
      for (int p = 0; p < SPILL_PARTITIONS; p++) {
        inMemory += onDisk[p] ? 0 : members[p].length;
      }
      while (inMemory > most) {
        int largest = -1;
        for (int p = 0; p < SPILL_PARTITIONS; p++) {
          if (!onDisk[p] && (largest < 0 || members[p].length > members[largest].length)) {
            largest = p;
          }
        }
        onDisk[largest] = true;
        inMemory -= members[largest].length;
      }
    }

    /**
     * How many output steps there are: one table; or, after a spill, one per partition in
     * memory (emitted from the table) and then one per partition on disk (merged back).
     */
    int outputParts() {
      return spill == null ? 1 : 2 * SPILL_PARTITIONS;
    }

    /** The output blocks of part {@code part} (in transit until handed on). */
    List<Block> output(int part) {
      List<Block> out = new ArrayList<>();
      step(() -> {
        if (table == null && !untyped.isEmpty()) {
          startTable(null);
        }
        Schema schema = input != null ? input : known != null ? known : emptyInput();
        if (spill == null) {
          GroupTable result = table != null ? table : new GroupTable(keys, aggregates, schema);
          table = null;
          emit(result, IntStream.range(0, result.size()).toArray(), out);
        } else if (part < SPILL_PARTITIONS) {
          if (part == 0) {
            finalMembers = writeDiskGroups();
          }
          if (!onDisk[part]) {
            emit(table, finalMembers[part], out);
          }
          if (part == SPILL_PARTITIONS - 1) {
            table = null;
            finalMembers = null;
          }
        } else if (onDisk[part - SPILL_PARTITIONS]) {
          GroupTable result = new GroupTable(keys, aggregates, schema);
          Block partial;
          while ((partial = spill.next(part - SPILL_PARTITIONS, account)) != null) {
            try (Block p = partial) {
              result.merge(p);
            }
            charge.set(result.heapBytes());
          }
          emit(result, IntStream.range(0, result.size()).toArray(), out);
        }
        if (table == null) {
          charge.trySet(0);
        }
      }, null);
      return out;
    }

    /**
     * Writes the last table's groups of the partitions on disk to their spill (they join the
     * partials there) and returns the table's groups by partition.
     */
    private int[][] writeDiskGroups() {
      int[][] members = table.groupsByPartition(SPILL_PARTITIONS);
      for (int p = 0; p < SPILL_PARTITIONS; p++) {
        if (onDisk[p] && members[p].length > 0) {
          try (Block partial = table.partial(members[p], account)) {
            spill.put(p, partial);
          }
        }
      }
      return members;
    }

    /** Finishes {@code groups} of {@code result} into output blocks, in {@code out}. */
    private void emit(GroupTable result, int[] groups, List<Block> out) {
      for (int from = 0; from < groups.length; from += OUTPUT_ROWS) {
        Block block = result.finish(Arrays.copyOfRange(groups, from,
            Math.min(groups.length, from + OUTPUT_ROWS)), account);
        outputs.offer(block);
        out.add(block);
      }
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
      untyped.forEach(Block::release);
      untyped.clear();
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
