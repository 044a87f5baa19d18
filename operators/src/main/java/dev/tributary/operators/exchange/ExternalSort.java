package dev.tributary.operators.exchange;

import dev.tributary.columnar.Schemas;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.memory.HandOff;
import dev.tributary.memory.HeapCharge;
import dev.tributary.memory.SpillHandle;
import dev.tributary.memory.SpillStore;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.SpillStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A stable external merge sort: blocks are held up to the budget, their keys normalized as they
 * arrive and sorted in chunks while input keeps coming; a full budget is merged into a run written
 * to a {@link SpillStore} in small blocks. At the end the runs and the held chunks are merged k
 * ways, streaming sorted blocks out; input that fits the budget is never spilled. When there are
 * more runs than the budget can hold a block of each, groups of runs are merged into longer runs
 * first. Output rows are gathered one take per column ({@link RowCopy}).
 *
 * <p>Equal keys keep their input order (runs are merged in arrival order, ties going to the
 * earlier run). Order per key: ascending or descending, nulls first or last; doubles as {@link
 * Double#compare} (NaN above every number). Cancel and errors release every held block and
 * delete the spill files. Building, spilling, restoring and merging run on the I/O scheduler.
 */
public final class ExternalSort implements Function<Flux<Block>, Flux<Block>> {
  /** The smallest block a run is written in, so that tiny budgets still make progress. */
  static final long MIN_RUN_BLOCK_BYTES = 16 * Bytes.KiB;
  /** Run blocks are this fraction of the budget, so that the merge holds many runs at once. */
  static final int RUN_BLOCKS_PER_BUDGET = 32;
  /**
   * Held rows are sorted in chunks of this fraction of the budget as they arrive (at most {@link
   * #MAX_CHUNK_BYTES}), so that sorting overlaps the input and the end only merges.
   */
  static final int CHUNKS_PER_BUDGET = 4;
  /** The largest chunk sorted as input arrives. */
  static final long MAX_CHUNK_BYTES = 64 * Bytes.MiB;

  private final String name;
  private final List<SortKey> keys;
  private final Account account;
  private final Scheduler io;
  private final SpillSettings spill;
  private final LongSupplier budget;
  private final OperatorStats stats;

  private ExternalSort(String name, List<SortKey> keys, Account account, Scheduler io,
      SpillSettings spill, LongSupplier budget, OperatorStats stats) {
    this.name = name;
    this.keys = keys;
    this.account = account;
    this.io = io;
    this.spill = spill;
    this.budget = budget;
    this.stats = stats;
  }

  /**
   * A sort by {@code keys} holding rows in {@code account} up to its budget, spilling with
   * {@code spill}, working on {@code io}.
   */
  public static ExternalSort of(String name, List<SortKey> keys, Account account, Scheduler io,
      SpillSettings spill) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("sort needs at least one key");
    }
    Objects.requireNonNull(account, "account");
    return new ExternalSort(Objects.requireNonNull(name, "name"), List.copyOf(keys), account,
        Objects.requireNonNull(io, "io"), Objects.requireNonNull(spill, "spill"),
        account::budgetBytes, new OperatorStats(name));
  }

  /**
   * Checks that every key of {@code keys} found in {@code schema} has a type rows can be ordered
   * by: not a list, struct, map or union.
   *
   * @throws ColumnException naming the first key that has such a type, and the type
   */
  public static void checkKeys(List<SortKey> keys, Schema schema) {
    for (SortKey key : keys) {
      for (Field field : schema.getFields()) {
        if (field.getName().equals(key.column()) && field.getType().isComplex()) {
          throw new ColumnException(key.column(),
              "sort: cannot order rows by a column of type "
              + field.getType() + "; sort by a scalar column (or one derived from it) instead");
        }
      }
    }
  }

  /** The same sort steering by {@code budget} instead of its account's budget. */
  public ExternalSort budget(LongSupplier budget) {
    return new ExternalSort(name, keys, account, io, spill, Objects.requireNonNull(budget),
        stats);
  }

  /** The same sort counting into {@code stats}. */
  public ExternalSort stats(OperatorStats stats) {
    return new ExternalSort(name, keys, account, io, spill, budget,
        Objects.requireNonNull(stats, "stats"));
  }

  @Override
  public Flux<Block> apply(Flux<Block> input) {
    return Flux.defer(() -> {
      Sorting sorting = new Sorting();
      stats.spills(sorting::spillStats);
      Mono<Sorting> built = HandOff.consume(input, io, sorting::accept)
          .then(Mono.fromCallable(sorting::finish));
      return built
          .flatMapMany(s -> Flux.<Block>generate(sink -> {
            Block next = s.next();
            if (next == null) {
              sink.complete();
            } else {
              sink.next(next);
            }
          }))
          .doOnDiscard(Block.class, Block::release)
          // Before the terminal signal, so that the consumer sees it with everything released.
          .doOnTerminate(sorting::close)
          .doOnCancel(sorting::close);
    }).subscribeOn(io, true);
  }

  /** The state of one sort: rows held, runs on disk, then the merge. */
  private final class Sorting {
    private final RowOrder order = new RowOrder(keys);
    /** Every block held, released after a spill or at the end. */
    private final List<Block> held = new ArrayList<>();
    /** Held chunks already sorted, in arrival order. */
    private final List<HeldRun> chunks = new ArrayList<>();
    /** The held blocks not yet in a sorted chunk, and their normalized keys (read on arrival). */
    private final List<Block> unsorted = new ArrayList<>();
    private final List<RowOrder.Keys> unsortedKeys = new ArrayList<>();
    private long unsortedBytes;
    /**
     * The held rows' normalized keys and sort order live on the heap (string keys: a copy of
     * every value's bytes); they count against the sort's budget like the blocks do.
     */
    private final HeapCharge keyCharge = account.heapCharge();
    private long unsortedKeyBytes;
    private long chunkKeyBytes;
    /** Rows and bytes of all input, for the size of a row. */
    private long inRows;
    private long inBytes;
    private final Deque<List<SpillHandle>> runs = new ArrayDeque<>();
    private SpillStore store;
    private SpillStats spilledBefore = SpillStats.NONE;
    private Schema schema;
    private long heldRows;
    private long heldBytes;
    private Merge merge;
    private boolean closed;

    synchronized void accept(Block arrived) {
      if (closed) {
        arrived.release();
        return;
      }
      Block block = arrived.owner() == account ? arrived : arrived.transferTo(account);
      stats.recordIn(block);
      if (block.rowCount() == 0) {
        block.close();
        return;
      }
      if (schema == null) {
        schema = block.schema();
      } else if (!schema.equals(block.schema())) {
        block = conform(block);
      }
      RowOrder.Keys blockKeys;
      try {
        blockKeys = order.columns(block);
      } catch (RuntimeException e) {
        block.release();
        throw e;
      }
      held.add(block);
      unsorted.add(block);
      unsortedKeys.add(blockKeys);
      unsortedBytes += block.sizeBytes();
      unsortedKeyBytes += blockKeys.heapBytes();
      inRows += block.rowCount();
      inBytes += block.sizeBytes();
      // A refused charge means a hard limit is near: the held rows go to disk at once.
      if (!keyCharge.trySet(chunkKeyBytes + unsortedKeyBytes)
          || account.heldBytes() > budget.getAsLong()) {
        spillHeld();
      } else if (unsortedBytes >= chunkBytes()) {
        sortChunk();
      }
    }

    /**
     * {@code block} in the sort's schema: a column null in every row of it takes the type the
     * sort already has. A block that would change the sort's schema (its first typed value of a
     * column earlier blocks had only nulls in) is refused: runs already written keep their types.
     */
    private Block conform(Block block) {
      try {
        checkKeys(keys, block.schema());
        Schema unified = Schemas.unify(schema, block.schema(), name);
        if (!unified.equals(schema)) {
          // A column null in every row of the first blocks has a type in a later one.
          throw new SchemaMismatchException(name, schema, block.schema());
        }
        Block conformed = Schemas.conform(block, schema, account);
        block.close(); // conform gave a handle of its own
        return conformed;
      } catch (RuntimeException e) {
        block.release();
        throw e;
      }
    }

    private long chunkBytes() {
      return Math.min(MAX_CHUNK_BYTES, budget.getAsLong() / CHUNKS_PER_BUDGET);
    }

    /** Sorts the unsorted held blocks into a chunk. */
    private void sortChunk() {
      if (!unsorted.isEmpty()) {
        HeldRun chunk = new HeldRun(unsorted, unsortedKeys, order);
        chunks.add(chunk);
        unsorted.clear();
        unsortedKeys.clear();
        unsortedBytes = 0;
        unsortedKeyBytes = 0;
        chunkKeyBytes += chunk.heapBytes();
        keyCharge.trySet(chunkKeyBytes);
      }
    }

    /** The held rows as sorted runs, in arrival order. */
    private List<Run> heldRuns() {
      sortChunk();
      return new ArrayList<>(chunks);
    }

    /** Sorts the held rows into a run on disk and frees them. */
    private void spillHeld() {
      if (store == null) {
        store = SpillStore.open(spill.directory(), spill.capacityBytes());
      }
      try (Merge sorted = new Merge(heldRuns(), runRows())) {
        runs.add(write(sorted));
      }
      releaseHeld();
    }

    /** Writes what {@code merge} gives to the store: one run. */
    private List<SpillHandle> write(Merge merge) {
      List<SpillHandle> run = new ArrayList<>();
      while (true) {
        Block b = merge.next();
        if (b == null) {
          return run;
        }
        try (b) {
          run.add(store.put(b));
        }
      }
    }

    private void releaseHeld() {
      held.forEach(Block::release);
      held.clear();
      chunks.clear();
      unsorted.clear();
      unsortedKeys.clear();
      unsortedBytes = 0;
      unsortedKeyBytes = 0;
      chunkKeyBytes = 0;
      keyCharge.trySet(0);
    }

    /** Rows per block written to a run or emitted: a fraction of the budget's worth. */
    private int runRows() {
      long rowBytes = Math.max(1, inRows == 0 ? 1 : inBytes / inRows);
      long blockBytes = Math.max(MIN_RUN_BLOCK_BYTES, budget.getAsLong() / RUN_BLOCKS_PER_BUDGET);
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, blockBytes / rowBytes));
    }

    /** The input ended: merges runs down to what fits, then starts the final merge. */
    synchronized Sorting finish() {
      if (closed) {
        return this;
      }
      int rows = runRows();
      long blockBytes = Math.max(MIN_RUN_BLOCK_BYTES, budget.getAsLong() / RUN_BLOCKS_PER_BUDGET);
      // A merge holds one block of each run, plus the rows still held.
      int fanIn = (int) Math.max(2, budget.getAsLong() / 2 / blockBytes);
      if (!runs.isEmpty() && !held.isEmpty() && runs.size() + 1 > fanIn) {
        spillHeld();
      }
      while (runs.size() > fanIn) {
        List<Run> group = new ArrayList<>();
        for (int i = 0; i < fanIn; i++) {
          group.add(new SpilledRun(runs.pollFirst()));
        }
        try (Merge m = new Merge(group, rows)) {
          // The merged run holds the earliest rows: it goes first to keep ties stable.
          runs.addFirst(write(m));
        }
      }
      List<Run> all = new ArrayList<>();
      runs.forEach(r -> all.add(new SpilledRun(r)));
      all.addAll(heldRuns()); // after the spilled runs: they hold earlier rows
      merge = new Merge(all, rows);
      return this;
    }

    /** The next sorted block, or null at the end. */
    synchronized Block next() {
      if (closed || merge == null) {
        return null;
      }
      Block b = merge.next();
      if (b == null) {
        close();
      }
      return b;
    }

    synchronized SpillStats spillStats() {
      SpillStore s = store;
      return s == null ? spilledBefore : new SpillStats(s.bytesSpilled(), s.bytesRestored(),
          s.spillNanos(), s.restoreNanos());
    }

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (merge != null) {
        merge.close();
      }
      releaseHeld();
      keyCharge.close();
      runs.clear();
      if (store != null) {
        spilledBefore = spillStats();
        store.close();
        store = null;
      }
    }

    /** A sorted run on disk, read one block at a time. */
    private final class SpilledRun implements Run {
      private final Deque<SpillHandle> blocks;
      private Block current;
      private RowOrder.Keys keyValues;
      private List<FieldVector[]> sources = List.of();
      private int row = -1;

      SpilledRun(List<SpillHandle> blocks) {
        this.blocks = new ArrayDeque<>(blocks);
      }

      @Override
      public boolean advance() {
        row++;
        while (current == null || row >= current.rowCount()) {
          if (current != null) {
            current.close();
            current = null;
          }
          SpillHandle next = blocks.pollFirst();
          if (next == null) {
            sources = List.of();
            return false;
          }
          current = store.get(next, account);
          store.delete(next);
          keyValues = order.columns(current);
          sources = List.<FieldVector[]>of(
              current.root().getFieldVectors().toArray(new FieldVector[0]));
          row = 0;
        }
        return true;
      }

      @Override
      public Schema schema() {
        return current.schema();
      }

      @Override
      public long pick() {
        return RowCopy.pick(0, row);
      }

      @Override
      public RowOrder.Keys keys() {
        return keyValues;
      }

      @Override
      public int keyRow() {
        return row;
      }

      @Override
      public List<FieldVector[]> sources() {
        return sources;
      }

      @Override
      public boolean lastInBlock() {
        return row + 1 >= current.rowCount();
      }

      @Override
      public void close() {
        if (current != null) {
          current.release();
          current = null;
        }
      }
    }
  }


  /** Sorted rows read one at a time. */
  private interface Run extends AutoCloseable {
    /** Moves to the next row; false at the end. */
    boolean advance();

    /** The schema of the current row's block. */
    Schema schema();

    /** The current row as a {@link RowCopy#pick} into {@link #sources()}. */
    long pick();

    /** The columns of the blocks the run's current and next rows come from, until it advances
     * past {@link #lastInBlock()}. */
    List<FieldVector[]> sources();

    /** The normalized keys holding the current row's ({@link RowOrder#columns}). */
    RowOrder.Keys keys();

    /** The current row's index in {@link #keys()}. */
    int keyRow();

    /** Whether the current row is its block's last: advancing releases the block. */
    boolean lastInBlock();

    @Override
    void close();
  }

  /** Rows held in memory, visited in sorted order through a stable permutation. */
  private static final class HeldRun implements Run {
    private final Schema schema;
    private final List<FieldVector[]> sources;
    private final RowOrder.Keys keyValues;
    /** The block of each row (rows of all blocks numbered one after another). */
    private final int[] blockOf;
    /** The number of the first row of each block. */
    private final int[] firstRow;
    private final int[] sorted;
    private int next = -1;

    HeldRun(List<Block> blocks, List<RowOrder.Keys> keys, RowOrder order) {
      schema = blocks.get(0).schema();
      keyValues = keys.size() == 1 ? keys.get(0) : RowOrder.Keys.concat(keys, order.size());
      List<FieldVector[]> columns = new ArrayList<>(blocks.size());
      for (Block b : blocks) {
        columns.add(b.root().getFieldVectors().toArray(new FieldVector[0]));
      }
      sources = List.copyOf(columns);
      blockOf = new int[keyValues.rows];
      firstRow = new int[blocks.size()];
      int g = 0;
      for (int b = 0; b < blocks.size(); b++) {
        firstRow[b] = g;
        int end = g + blocks.get(b).rowCount();
        Arrays.fill(blockOf, g, end, b);
        g = end;
      }
      sorted = KeySort.sort(order, keyValues);
    }

    /** The heap this run's keys, row numbers and order take. */
    long heapBytes() {
      return keyValues.heapBytes() + 4L * (blockOf.length + firstRow.length + sorted.length);
    }

    @Override
    public boolean advance() {
      return ++next < sorted.length;
    }

    @Override
    public Schema schema() {
      return schema;
    }

    @Override
    public long pick() {
      return pickOf(sorted[next]);
    }

    private long pickOf(int row) {
      int b = blockOf[row];
      return RowCopy.pick(b, row - firstRow[b]);
    }

    /**
     * Fills {@code picks[from, from + max)} with the current row and those after it (offset by
     * {@code base} sources), leaving the run on the last one taken; returns how many it took.
     */
    int take(long[] picks, int from, int max, int base) {
      int n = Math.min(max, sorted.length - next);
      long offset = (long) base << 32;
      for (int i = 0; i < n; i++) {
        picks[from + i] = pickOf(sorted[next + i]) + offset;
      }
      next += n - 1;
      return n;
    }

    @Override
    public List<FieldVector[]> sources() {
      return sources;
    }

    @Override
    public RowOrder.Keys keys() {
      return keyValues;
    }

    @Override
    public int keyRow() {
      return sorted[next];
    }

    @Override
    public boolean lastInBlock() {
      return false; // the sort releases held blocks after the merge
    }

    @Override
    public void close() {
      // The blocks belong to the sort, which releases them.
    }
  }

  /**
   * A k-way merge of runs into blocks of at most {@code rows} rows, ties to the earlier run. The
   * rows picked for a block are gathered column by column ({@link RowCopy#take}) when the block is
   * full or a run is about to release the block they come from.
   */
  private final class Merge implements AutoCloseable {
    private final List<Run> runs;
    private final Run[] byIndex;
    private final RowOrder order = new RowOrder(keys);
    /** A binary min-heap of run indices, ordered by their current rows. */
    private final int[] heap;
    private int size;
    private final int rows;
    /** The picks of the block being built not yet copied, into {@link #sources}. */
    private final long[] picks;
    /** Every run's sources one after another; run {@code i}'s start at {@code base[i]}. */
    private final List<FieldVector[]> sources = new ArrayList<>();
    private final int[] base;
    /** Whether a run moved to another block since {@link #sources} was built. */
    private boolean stale = true;

    Merge(List<Run> runs, int rows) {
      this.runs = runs;
      this.rows = rows;
      picks = new long[rows];
      byIndex = runs.toArray(new Run[0]);
      base = new int[byIndex.length];
      heap = new int[byIndex.length];
      for (int i = 0; i < byIndex.length; i++) {
        if (byIndex[i].advance()) {
          heap[size] = i;
          siftUp(size++);
        }
      }
    }

    /** Whether run {@code x}'s current row goes before run {@code y}'s: ties to the earlier run. */
    private boolean before(int x, int y) {
      Run a = byIndex[x];
      Run b = byIndex[y];
      int c = order.compare(a.keys(), a.keyRow(), b.keys(), b.keyRow());
      return c < 0 || (c == 0 && x < y);
    }

    private void siftUp(int at) {
      int run = heap[at];
      while (at > 0) {
        int parent = (at - 1) >>> 1;
        if (!before(run, heap[parent])) {
          break;
        }
        heap[at] = heap[parent];
        at = parent;
      }
      heap[at] = run;
    }

    private void siftDown(int at) {
      int run = heap[at];
      while (true) {
        int child = 2 * at + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && before(heap[child + 1], heap[child])) {
          child++;
        }
        if (!before(heap[child], run)) {
          break;
        }
        heap[at] = heap[child];
        at = child;
      }
      heap[at] = run;
    }

    private void refreshSources() {
      if (stale) {
        sources.clear();
        for (int i = 0; i < byIndex.length; i++) {
          base[i] = sources.size();
          sources.addAll(byIndex[i].sources());
        }
        stale = false;
      }
    }

    /** Moves run {@code heap[0]} past its current row, reordering the heap. */
    private void advanceTop() {
      Run run = byIndex[heap[0]];
      if (!run.advance()) {
        heap[0] = heap[--size];
        if (size > 0) {
          siftDown(0);
        }
      } else if (size > 1) {
        siftDown(0);
      }
    }

    /** The next merged block in the sort's account, or null when every run is exhausted. */
    Block next() {
      if (size == 0) {
        return null;
      }
      Schema schema = byIndex[heap[0]].schema();
      return account.allocate(() -> {
        VectorSchemaRoot out = VectorSchemaRoot.create(schema, account.allocator());
        try {
          List<FieldVector> targets = out.getFieldVectors();
          for (FieldVector v : targets) {
            v.setInitialCapacity(rows);
            v.allocateNew();
          }
          FieldVector[] into = targets.toArray(new FieldVector[0]);
          int n = 0;
          int flushed = 0;
          while (n < rows && size > 0) {
            refreshSources();
            int top = heap[0];
            Run run = byIndex[top];
            if (size == 1 && run instanceof HeldRun held) {
              // Only held rows are left: no comparisons, take them in bulk.
              n += held.take(picks, n - flushed, rows - n, base[top]);
            } else {
              picks[n - flushed] = run.pick() + ((long) base[top] << 32);
              n++;
              if (run.lastInBlock()) {
                // Advancing releases the run's block: copy what was picked from it first.
                RowCopy.take(sources, picks, n - flushed, into, flushed);
                flushed = n;
                stale = true;
              }
            }
            advanceTop();
          }
          RowCopy.take(sources, picks, n - flushed, into, flushed);
          for (FieldVector v : targets) {
            if (v instanceof BaseVariableWidthVector variable) {
              variable.setLastSet(n - 1);
            }
            v.setValueCount(n);
          }
          out.setRowCount(n);
          return Block.wrap(out, account);
        } catch (RuntimeException e) {
          out.close();
          throw e;
        }
      });
    }

    @Override
    public void close() {
      runs.forEach(Run::close);
    }
  }
}
