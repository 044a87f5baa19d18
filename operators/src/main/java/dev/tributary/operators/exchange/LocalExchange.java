package dev.tributary.operators.exchange;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.HandOff;
import dev.tributary.memory.SpillHandle;
import dev.tributary.memory.SpillStore;
import dev.tributary.operators.HashPartitioner;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.SpillStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The in-process {@link Exchange}: holds partitioned blocks in its account and, when what it
 * holds passes its budget, writes the largest partition's held blocks to a {@link SpillStore}
 * (opened on first spill, in {@link SpillSettings#directory()}). Building and spilling run on the
 * I/O scheduler given (they block on disk); so do restores when partitions are read.
 *
 * <p>An error or cancel while building, and {@link Partitions#close()}, release every held block
 * and delete the spill files.
 */
public final class LocalExchange implements Exchange {
  private final String name;
  private final Account account;
  private final Scheduler io;
  private final SpillSettings spill;
  private final SpillPolicy policy;
  private final LongSupplier budget;
  private final OperatorStats stats;

  private LocalExchange(String name, Account account, Scheduler io, SpillSettings spill,
      SpillPolicy policy, LongSupplier budget, OperatorStats stats) {
    this.name = name;
    this.account = account;
    this.io = io;
    this.spill = spill;
    this.policy = policy;
    this.budget = budget;
    this.stats = stats;
  }

  /**
   * An exchange named {@code name} holding blocks in {@code account} up to the account's budget,
   * spilling beyond it with {@code spill}, working on {@code io}.
   */
  public static LocalExchange of(String name, Account account, Scheduler io,
      SpillSettings spill) {
    Objects.requireNonNull(account, "account");
    return new LocalExchange(Objects.requireNonNull(name, "name"), account,
        Objects.requireNonNull(io, "io"), Objects.requireNonNull(spill, "spill"),
        SpillPolicy.WHEN_OVER_BUDGET, account::budgetBytes, new OperatorStats(name));
  }

  /** The same exchange with another spill policy. */
  public LocalExchange policy(SpillPolicy policy) {
    return new LocalExchange(name, account, io, spill, Objects.requireNonNull(policy, "policy"),
        budget, stats);
  }

  /** The same exchange steering by {@code budget} instead of its account's budget. */
  public LocalExchange budget(LongSupplier budget) {
    return new LocalExchange(name, account, io, spill, policy,
        Objects.requireNonNull(budget, "budget"), stats);
  }

  /** The same exchange counting into {@code stats} (blocks in, spills and restores). */
  public LocalExchange stats(OperatorStats stats) {
    return new LocalExchange(name, account, io, spill, policy, budget,
        Objects.requireNonNull(stats, "stats"));
  }

  @Override
  public Mono<Partitions> partition(Flux<Block> input, Partitioning partitioning) {
    Objects.requireNonNull(partitioning, "partitioning");
    return Mono.defer(() -> {
      Build build = new Build(partitioning);
      stats.spills(build::spillStats);
      return HandOff.consume(input, io, build::accept)
          .then(Mono.fromSupplier(build::finish))
          .doOnError(e -> build.close())
          .doOnCancel(build::close);
    }).subscribeOn(io);
  }

  /** The partitions being built, then built: blocks held in memory or handles of spilled ones. */
  private final class Build implements Partitions {
    private final Partitioning partitioning;
    private final List<List<Object>> parts;
    private final long[] rows;
    private final long[] heldBytes;
    private final SplittableRandom random;
    private SpillStore store;
    private SpillStats spilledBefore = SpillStats.NONE;
    private boolean finished;
    private boolean closed;

    Build(Partitioning partitioning) {
      this.partitioning = partitioning;
      int n = partitioning.partitions();
      this.parts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        parts.add(new ArrayList<>());
      }
      this.rows = new long[n];
      this.heldBytes = new long[n];
      this.random = partitioning instanceof Partitioning.Random r
          ? new SplittableRandom(r.seed()) : null;
    }

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
      try {
        split(block);
        if (policy == SpillPolicy.ALWAYS) {
          for (int p = 0; p < parts.size(); p++) {
            spillPartition(p);
          }
        }
        while (account.heldBytes() > budget.getAsLong()) {
          if (policy == SpillPolicy.NEVER) {
            throw new InsufficientMemoryException(name, account.heldBytes(), budget.getAsLong());
          }
          if (!spillPartition(largestHeld())) {
            break;
          }
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    /** Adds the rows of {@code block} to their partitions (the block itself if all go to one). */
    private void split(Block block) {
      int n = parts.size();
      if (n == 1) {
        add(0, block);
        return;
      }
      int[] assigned;
      try {
        assigned = assign(block);
      } catch (RuntimeException e) {
        block.close();
        throw e;
      }
      int[][] indices = HashPartitioner.rowsByPartition(assigned, n);
      for (int p = 0; p < n; p++) {
        if (indices[p].length == assigned.length) {
          add(p, block);
          return;
        }
      }
      try (block) {
        for (int p = 0; p < n; p++) {
          if (indices[p].length > 0) {
            add(p, Blocks.take(block, indices[p], account));
          }
        }
      }
    }

    private int[] assign(Block block) {
      int count = block.rowCount();
      int n = parts.size();
      int[] assigned = new int[count];
      if (partitioning instanceof Partitioning.Random) {
        for (int i = 0; i < count; i++) {
          assigned[i] = random.nextInt(n);
        }
      } else if (partitioning instanceof Partitioning.Hash h) {
        // The one hash cut of blocks by key (aggregations and joins use it too).
        assigned = new HashPartitioner(h.keys(), n).partitionOf(block);
      } else if (partitioning instanceof Partitioning.Range r) {
        Object[] values = ColumnReader.values(block, r.key().column());
        List<?> bounds = r.bounds();
        for (int i = 0; i < count; i++) {
          int lo = 0;
          int hi = bounds.size();
          while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (RowOrder.compareValues(r.key(), bounds.get(mid), values[i]) < 0) {
              lo = mid + 1;
            } else {
              hi = mid;
            }
          }
          assigned[i] = lo;
        }
      }
      return assigned;
    }

    private void add(int partition, Block block) {
      parts.get(partition).add(block);
      rows[partition] += block.rowCount();
      heldBytes[partition] += block.sizeBytes();
    }

    private int largestHeld() {
      int largest = 0;
      for (int p = 1; p < heldBytes.length; p++) {
        if (heldBytes[p] > heldBytes[largest]) {
          largest = p;
        }
      }
      return largest;
    }

    /** Writes partition {@code p}'s held blocks to disk; false when it held none. */
    private boolean spillPartition(int p) {
      if (heldBytes[p] == 0) {
        return false;
      }
      if (store == null) {
        store = SpillStore.open(spill.directory(), spill.capacityBytes());
      }
      List<Object> entries = parts.get(p);
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i) instanceof Block b) {
          SpillHandle handle = store.put(b);
          entries.set(i, handle);
          b.close();
        }
      }
      heldBytes[p] = 0;
      return true;
    }

    synchronized Partitions finish() {
      finished = true;
      return this;
    }

    synchronized SpillStats spillStats() {
      SpillStore s = store;
      return s == null ? spilledBefore : new SpillStats(s.bytesSpilled(), s.bytesRestored(),
          s.spillNanos(), s.restoreNanos());
    }

    @Override
    public int count() {
      return parts.size();
    }

    @Override
    public synchronized int blockCount(int partition) {
      return parts.get(partition).size();
    }

    @Override
    public synchronized long rowCount(int partition) {
      return rows[partition];
    }

    @Override
    public Flux<Block> read(int partition) {
      return reading(partition, null);
    }

    @Override
    public Flux<Block> read(int partition, int[] blocks) {
      return reading(partition, Objects.requireNonNull(blocks, "blocks").clone());
    }

    /** The blocks of {@code partition} at the indices {@code order}, or all in order for null. */
    private Flux<Block> reading(int partition, int[] order) {
      Objects.checkIndex(partition, parts.size());
      return Flux.defer(() -> {
        List<Object> entries;
        synchronized (this) {
          if (closed || !finished) {
            return Flux.error(new IllegalStateException(
                "partitions of exchange '" + name + "' are " + (closed ? "closed" : "not built")));
          }
          entries = List.copyOf(parts.get(partition));
        }
        if (order != null) {
          for (int i : order) {
            Objects.checkIndex(i, entries.size());
          }
        }
        // Indices, not the entries: a cancel discards what publishOn queued, and a discarded
        // held block would be released while the partitions still own it.
        return Flux.range(0, order == null ? entries.size() : order.length)
            .publishOn(io, 1)
            .map(i -> load(entries.get(order == null ? i : order[i])))
            .doOnDiscard(Block.class, Block::release);
      });
    }

    private Block load(Object entry) {
      if (entry instanceof Block b) {
        return Blocks.project(b, Blocks.identity(b), account);
      }
      SpillStore s;
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("partitions of exchange '" + name + "' are closed");
        }
        s = store;
      }
      return s.get((SpillHandle) entry, account);
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      for (List<Object> entries : parts) {
        for (Object e : entries) {
          if (e instanceof Block b) {
            b.release();
          }
        }
        entries.clear();
      }
      Arrays.fill(heldBytes, 0);
      if (store != null) {
        spilledBefore = spillStats();
        store.close();
        store = null;
      }
    }
  }
}
