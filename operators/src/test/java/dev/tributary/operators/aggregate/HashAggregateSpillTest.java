package dev.tributary.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.SpillStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Hybrid spilling: a table past its budget sends its largest hash partitions to disk and keeps
 * the rest, so that the groups of a partition kept in memory are never written; every budget
 * gives the groups a plain-Java reference computes.
 */
class HashAggregateSpillTest {
  private static final int GROUPS = 60_000;
  private static final int ROWS_PER_BLOCK = 5_000;

  private final Arena arena = Arena.create("aggregate-spill", 512 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final Scheduler io = Schedulers.fromExecutorService(pool);

  @TempDir Path spillDir;

  @AfterEach
  void noLeaksAndNoSpillFiles() throws Exception {
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
    try (Stream<Path> left = Files.list(spillDir)) {
      assertThat(left).isEmpty();
    }
  }

  /**
   * Two passes over the keys in a seeded order (each key once per pass), every tenth key a
   * string key null, x = key % 7; as blocks of k (int64), s (its string) and x (float64).
   */
  private List<Block> blocks() {
    Random random = new Random(12);
    int[] order = new int[2 * GROUPS];
    for (int i = 0; i < order.length; i++) {
      order[i] = i % GROUPS;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    List<Block> out = new java.util.ArrayList<>();
    for (int from = 0; from < order.length; from += ROWS_PER_BLOCK) {
      int n = Math.min(ROWS_PER_BLOCK, order.length - from);
      long[] k = new long[n];
      String[] s = new String[n];
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        int key = order[from + i];
        k[i] = key;
        s[i] = key % 10 == 0 ? null : "key-" + key;
        x[i] = key % 7;
      }
      out.add(BlockBuilder.in(source).column("k", k).column("s", s).column("x", x).build());
    }
    return out;
  }

  /** Sum of x and count per key of column {@code key}, at {@code budget}; and the spill stats. */
  private SpillStats aggregate(String key, long budget, Map<Object, double[]> groups) {
    Account account = arena.openAccount("aggregate-" + budget, budget, 256 * Bytes.MiB);
    OperatorStats stats = new OperatorStats("HashAggregate");
    Flux.fromIterable(blocks())
        .transform(HashAggregate.of(List.of(key), List.of(Aggregate.sum("x"), Aggregate.count()),
            account, io).spillTo(spillDir).stats(stats))
        .doOnNext(b -> {
          try (b) {
            Object[] keys = ColumnReader.values(b, key);
            double[] sums = ColumnReader.doubles(b, "sum(x)");
            long[] counts = ColumnReader.longs(b, "count()");
            for (int i = 0; i < keys.length; i++) {
              assertThat(groups.put(keys[i], new double[] {sums[i], counts[i]}))
                  .as("key %s emitted once", keys[i]).isNull();
            }
          }
        })
        .blockLast(Duration.ofSeconds(120));
    return stats.snapshot().spills();
  }

  /** The reference: two rows per key, the null string key has a tenth of the keys. */
  private static Map<Object, double[]> expected(String key) {
    Map<Object, double[]> out = new HashMap<>();
    for (int g = 0; g < GROUPS; g++) {
      Object k = key.equals("k") ? (Object) (long) g : g % 10 == 0 ? null : "key-" + g;
      double[] sc = out.computeIfAbsent(k, x -> new double[2]);
      sc[0] += 2.0 * (g % 7);
      sc[1] += 2;
    }
    return out;
  }

  private static void assertSame(Map<Object, double[]> expected, Map<Object, double[]> got) {
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    expected.forEach((k, v) -> assertThat(got.get(k)).as("key %s", k).containsExactly(v));
  }

  @Test
  void everyBudgetGivesTheGroupsOfPlainJava() {
    for (String key : List.of("k", "s")) {
      Map<Object, double[]> expected = expected(key);
      for (long budget : new long[] {256 * Bytes.MiB, 1 * Bytes.MiB, 64 << 10}) {
        Map<Object, double[]> got = new HashMap<>();
        SpillStats spills = aggregate(key, budget, got);
        assertSame(expected, got);
        assertThat(spills.bytesRestored()).as("key %s, budget %s", key, budget)
            .isEqualTo(spills.bytesSpilled());
        if (budget < 256 * Bytes.MiB) {
          assertThat(spills.bytesSpilled()).as("key %s, budget %s", key, budget).isPositive();
        } else {
          assertThat(spills.bytesSpilled()).isZero();
        }
      }
    }
  }

  @Test
  void partitionsKeptInMemoryAreNeverWritten() {
    // The smallest budget sends every partition to disk at once: each group is written once
    // per pass, at least. A budget a little under the table's size keeps some partitions in
    // memory all along, so a good part of the groups is never written.
    SpillStats all = aggregate("k", 64 << 10, new HashMap<>());
    Map<Object, double[]> got = new HashMap<>();
    long table = tableBytes();
    SpillStats some = aggregate("k", table * 3 / 4, got);
    assertSame(expected("k"), got);
    assertThat(some.bytesSpilled()).isPositive();
    assertThat(some.bytesSpilled()).isLessThan(all.bytesSpilled() * 3 / 4);
  }

  /** The heap bytes the table of all groups is estimated at. */
  private long tableBytes() {
    GroupTable table = null;
    for (Block b : blocks()) {
      try (b) {
        if (table == null) {
          table = new GroupTable(List.of("k"), List.of(Aggregate.sum("x"), Aggregate.count()),
              b.schema());
        }
        table.accumulate(b, source);
      }
    }
    return table.heapBytes();
  }
}
