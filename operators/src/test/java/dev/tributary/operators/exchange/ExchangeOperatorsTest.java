package dev.tributary.operators.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The exchange and the operators on it, against plain-Java references, with and without spills. */
class ExchangeOperatorsTest {
  private static final long LIMIT = 256 * Bytes.MiB;
  private final Arena arena = Arena.create("exchange", LIMIT);
  private final Account source = arena.openAccount("source");
  /**
   * Waited for by its executor's termination: a bounded-elastic scheduler's {@code
   * disposeGracefully()} can complete while a task whose worker a cancel disposed still runs.
   */
  private final ExecutorService ioThreads = Executors.newFixedThreadPool(4);
  private final Scheduler io = Schedulers.fromExecutorService(ioThreads);

  @TempDir Path spillDir;

  @AfterEach
  void noLeaksAndNoSpillFiles() throws Exception {
    ioTasksEnded();
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
    // A cancel's clean-up may still be deleting the files: wait for it, with a deadline.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && hasFiles(spillDir)) {
      Thread.sleep(10);
    }
    try (Stream<Path> left = Files.list(spillDir)) {
      assertThat(left).isEmpty();
    }
  }

  private static boolean hasFiles(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.findAny().isPresent();
    }
  }

  /** Waits until every task on the I/O threads has run to its end. */
  private void ioTasksEnded() {
    ioThreads.shutdown();
    try {
      assertThat(ioThreads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One generated row: the reference's view of it. */
  record Row(long id, Integer k, Double x, String s) {}

  /** {@code rows} rows with skewed int keys, doubles with NaN and nulls, strings with nulls. */
  private static List<Row> rows(int rows, long seed) {
    Random r = new Random(seed);
    List<Row> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Integer k = r.nextInt(10) == 0 ? null : (r.nextBoolean() ? 7 : r.nextInt(50) - 25);
      int pick = r.nextInt(12);
      Double x = pick == 0 ? null : pick == 1 ? Double.NaN : pick == 2 ? -0.0 : r.nextGaussian();
      String s = r.nextInt(8) == 0 ? null : "s" + r.nextInt(300);
      out.add(new Row(i, k, x, s));
    }
    return out;
  }

  private Flux<Block> blocks(List<Row> rows, int perBlock) {
    List<List<Row>> cuts = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += perBlock) {
      cuts.add(rows.subList(i, Math.min(rows.size(), i + perBlock)));
    }
    return Flux.fromIterable(cuts).map(cut -> BlockBuilder.in(source)
        .column("id", cut.stream().mapToLong(Row::id).toArray())
        .column(new org.apache.arrow.vector.types.pojo.Field("k",
            org.apache.arrow.vector.types.pojo.FieldType.nullable(
                new org.apache.arrow.vector.types.pojo.ArrowType.Int(32, true)), null),
            cut.stream().map(Row::k).toList())
        .column(new org.apache.arrow.vector.types.pojo.Field("x",
            org.apache.arrow.vector.types.pojo.FieldType.nullable(
                new org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint(
                    org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)), null),
            cut.stream().map(Row::x).toList())
        .column(new org.apache.arrow.vector.types.pojo.Field("s",
            org.apache.arrow.vector.types.pojo.FieldType.nullable(
                org.apache.arrow.vector.types.pojo.ArrowType.Utf8.INSTANCE), null),
            cut.stream().map(Row::s).toList())
        .build());
  }

  private static List<Row> drain(Flux<Block> flux) {
    List<Row> out = new ArrayList<>();
    flux.doOnNext(b -> {
      try (b) {
        long[] ids = ColumnReader.longs(b, "id");
        Object[] k = ColumnReader.values(b, "k");
        Object[] x = ColumnReader.values(b, "x");
        Object[] s = ColumnReader.values(b, "s");
        for (int i = 0; i < ids.length; i++) {
          out.add(new Row(ids[i], (Integer) k[i], (Double) x[i], (String) s[i]));
        }
      }
    }).blockLast(Duration.ofSeconds(60));
    return out;
  }

  private SpillSettings spill() {
    return new SpillSettings(spillDir, 4 * Bytes.GiB);
  }

  private static <T extends Comparable<T>> Comparator<Row> by(
      java.util.function.Function<Row, T> key, boolean descending, boolean nullsLast) {
    Comparator<T> natural = descending ? Comparator.<T>reverseOrder() : Comparator.naturalOrder();
    Comparator<T> withNulls = nullsLast ? Comparator.nullsLast(natural)
        : Comparator.nullsFirst(natural);
    return Comparator.comparing(key, withNulls);
  }

  private List<Row> sorted(List<Row> rows, int perBlock, long budget, List<SortKey> keys,
      OperatorStats stats) {
    try (Account account = arena.openAccount("sort", budget, LIMIT)) {
      return drain(blocks(rows, perBlock).transform(
          ExternalSort.of("Sort", keys, account, io, spill()).stats(stats)));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 5000})
  void sortMatchesAStableJavaSortWhetherItSpillsOrNot(int n) {
    List<Row> rows = rows(n, 42);
    List<SortKey> keys = List.of(new SortKey("k", false, true), new SortKey("x", true, false),
        new SortKey("s", false, false));
    List<Row> expected = new ArrayList<>(rows);
    // List.sort is stable: equal keys keep their id order.
    expected.sort(ExchangeOperatorsTest.<Integer>by(Row::k, false, true)
        .thenComparing(ExchangeOperatorsTest.<Double>by(Row::x, true, false))
        .thenComparing(ExchangeOperatorsTest.<String>by(Row::s, false, false)));
    OperatorStats large = new OperatorStats("large");
    OperatorStats tiny = new OperatorStats("tiny");
    assertThat(sorted(rows, 200, 64 * Bytes.MiB, keys, large)).isEqualTo(expected);
    assertThat(sorted(rows, 200, 32 * Bytes.KiB, keys, tiny)).isEqualTo(expected);
    assertThat(large.snapshot().spills().bytesSpilled()).isZero();
    if (n > 1000) {
      assertThat(tiny.snapshot().spills().bytesSpilled()).isPositive();
      assertThat(tiny.snapshot().spills().bytesRestored())
          .isEqualTo(tiny.snapshot().spills().bytesSpilled());
    }
  }

  @Test
  void stringKeysOrderByTheirUtf8BytesBeyondTheirPrefixesWhetherItSpillsOrNot() {
    Random r = new Random(3);
    String[] stems = {"", "a", "abcdefg", "abcdefgh", "abcdefgh\u00e9", "abcdefgh\uffff",
        "abcdefgh\ud83d\ude00", "a-long-prefix-shared-by-many-", "\ud83d\ude00", "\uffff"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String stem = stems[r.nextInt(stems.length)];
      String s = r.nextInt(9) == 0 ? null : r.nextBoolean() ? stem : stem + r.nextInt(20);
      rows.add(new Row(i, r.nextInt(3), (double) r.nextInt(5), s));
    }
    // Code point order (UTF-8 bytes), which UTF-16's String.compareTo does not give.
    Comparator<String> utf8 = (a, b) -> Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    for (boolean descending : new boolean[] {false, true}) {
      for (boolean nullsLast : new boolean[] {false, true}) {
        Comparator<String> dir = descending ? utf8.reversed() : utf8;
        List<Row> expected = new ArrayList<>(rows);
        expected.sort(Comparator.comparing(Row::s,
                nullsLast ? Comparator.nullsLast(dir) : Comparator.nullsFirst(dir))
            .thenComparing(Row::k));
        List<SortKey> keys = List.of(new SortKey("s", descending, nullsLast), SortKey.asc("k"));
        OperatorStats tiny = new OperatorStats("tiny");
        assertThat(sorted(rows, 300, 64 * Bytes.MiB, keys, new OperatorStats("large")))
            .as("descending %s nullsLast %s", descending, nullsLast).isEqualTo(expected);
        // Sorted in several chunks as blocks arrive, merged in memory.
        assertThat(sorted(rows, 100, 512 * Bytes.KiB, keys, new OperatorStats("chunks")))
            .as("chunked, descending %s nullsLast %s", descending, nullsLast)
            .isEqualTo(expected);
        assertThat(sorted(rows, 300, 16 * Bytes.KiB, keys, tiny))
            .as("spilling, descending %s nullsLast %s", descending, nullsLast)
            .isEqualTo(expected);
        assertThat(tiny.snapshot().spills().bytesSpilled()).isPositive();
      }
    }
  }

  @Test
  void theHeldKeysOnTheHeapCountAgainstTheSortsBudget() {
    // Long string keys: their whole bytes are copied to the heap for tie-breaks.
    Random r = new Random(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      rows.add(new Row(i, i % 7, (double) i, "k".repeat(200) + r.nextInt(1000)));
    }
    long blockBytes = blocks(rows, 500).map(b -> {
      try (b) {
        return b.sizeBytes();
      }
    }).reduce(0L, Long::sum).block();
    List<Row> expected = new ArrayList<>(rows);
    expected.sort(Comparator.comparing(Row::s).thenComparing(Row::id));
    List<SortKey> keys = List.of(SortKey.asc("s"));
    OperatorStats large = new OperatorStats("large");
    OperatorStats tight = new OperatorStats("tight");
    assertThat(sorted(rows, 500, 64 * Bytes.MiB, keys, large)).isEqualTo(expected);
    // The blocks alone fit this budget; with their keys' copy on the heap they do not.
    assertThat(sorted(rows, 500, blockBytes + blockBytes / 10, keys, tight)).isEqualTo(expected);
    assertThat(large.snapshot().spills().bytesSpilled()).isZero();
    assertThat(tight.snapshot().spills().bytesSpilled()).isPositive();
  }

  @Test
  void sortIsStableAndPlacesNullsAsAsked() {
    List<Row> rows = rows(3000, 7);
    for (boolean descending : new boolean[] {false, true}) {
      for (boolean nullsLast : new boolean[] {false, true}) {
        List<Row> expected = new ArrayList<>(rows);
        expected.sort(ExchangeOperatorsTest.<Integer>by(Row::k, descending, nullsLast));
        List<Row> got = sorted(rows, 100, 16 * Bytes.KiB,
            List.of(new SortKey("k", descending, nullsLast)), new OperatorStats("s"));
        assertThat(got).as("descending %s nullsLast %s", descending, nullsLast)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void aSortCancelledMidwayLeavesNoBytesAndNoSpillFiles() {
    List<Row> rows = rows(20_000, 3);
    try (Account account = arena.openAccount("sort", 32 * Bytes.KiB, LIMIT)) {
      StepVerifier.create(blocks(rows, 500)
              .transform(ExternalSort.of("Sort", List.of(SortKey.asc("x")), account, io,
                  spill())), 1)
          .assertNext(Block::close)
          .thenCancel()
          .verify(Duration.ofSeconds(60));
      // The cancel is asynchronous to the merge on the I/O thread: wait for its tasks to end.
      ioTasksEnded();
      arena.awaitEmpty(Duration.ofSeconds(30));
    }
  }

  @Test
  void aSortFailingUpstreamLeavesNoBytesAndNoSpillFiles() {
    List<Row> rows = rows(5000, 3);
    try (Account account = arena.openAccount("sort", 16 * Bytes.KiB, LIMIT)) {
      StepVerifier.create(blocks(rows, 500)
              .concatWith(Flux.error(new IllegalStateException("boom")))
              .transform(ExternalSort.of("Sort", List.of(SortKey.asc("k")), account, io,
                  spill())))
          .expectErrorMessage("boom")
          .verify(Duration.ofSeconds(60));
    }
  }

  @Test
  void hashPartitionsKeepEqualKeysTogetherAndReadTwiceAlike() {
    List<Row> rows = rows(4000, 11);
    for (long budget : new long[] {64 * Bytes.MiB, 16 * Bytes.KiB}) {
      OperatorStats stats = new OperatorStats("x");
      try (Account account = arena.openAccount("exchange", budget, LIMIT);
          Partitions parts = LocalExchange.of("Exchange", account, io, spill()).stats(stats)
              .partition(blocks(rows, 300), Partitioning.hash(8, List.of("k")))
              .block(Duration.ofSeconds(60))) {
        Map<Integer, Integer> partitionOf = new HashMap<>();
        List<Row> all = new ArrayList<>();
        for (int p = 0; p < parts.count(); p++) {
          List<Row> first = drain(parts.read(p));
          // A read cancelled early leaves the partition whole for the next one.
          drain(parts.read(p).take(1));
          assertThat(drain(parts.read(p))).isEqualTo(first);
          assertThat(parts.rowCount(p)).isEqualTo(first.size());
          for (Row r : first) {
            assertThat(partitionOf.putIfAbsent(r.k() == null ? Integer.MIN_VALUE : r.k(), p))
                .isIn(null, p);
          }
          all.addAll(first);
        }
        all.sort(Comparator.comparingLong(Row::id));
        assertThat(all).isEqualTo(rows);
        if (budget < Bytes.MiB) {
          assertThat(stats.snapshot().spills().bytesSpilled()).isPositive();
        }
      }
    }
  }

  @Test
  void rangePartitionsCutAtTheBounds() {
    List<Row> rows = rows(2000, 5);
    try (Account account = arena.openAccount("exchange", 16 * Bytes.KiB, LIMIT);
        Partitions parts = LocalExchange.of("Exchange", account, io, spill())
            .partition(blocks(rows, 300), Partitioning.range(SortKey.asc("k"), List.of(-10, 7)))
            .block(Duration.ofSeconds(60))) {
      assertThat(drain(parts.read(0))).allMatch(r -> r.k() != null && r.k() <= -10);
      assertThat(drain(parts.read(1))).allMatch(r -> r.k() != null && r.k() > -10 && r.k() <= 7);
      assertThat(drain(parts.read(2))).allMatch(r -> r.k() == null || r.k() > 7);
    }
  }

  @Test
  void memoryOnlyExchangeRefusesWithATypedErrorNamingTheShortfall() {
    try (Account account = arena.openAccount("exchange", 16 * Bytes.KiB, LIMIT)) {
      assertThatThrownBy(() -> LocalExchange.of("Materialize", account, io, spill())
          .policy(SpillPolicy.NEVER)
          .partition(blocks(rows(5000, 1), 500), Partitioning.single())
          .block(Duration.ofSeconds(60)))
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageContaining("Materialize")
          .hasMessageContaining("short by");
    }
  }

  @Test
  void randomShuffleIsAPermutationDeterministicPerSeed() {
    List<Row> rows = rows(3000, 13);
    List<List<Row>> runs = new ArrayList<>();
    for (long seed : new long[] {1, 1, 2}) {
      try (Account account = arena.openAccount("shuffle", 16 * Bytes.KiB, LIMIT)) {
        Exchange exchange = LocalExchange.of("Shuffle", account, io, spill());
        runs.add(drain(blocks(rows, 250)
            .transform(RandomShuffle.of(exchange, 4, seed, account, io))));
      }
    }
    assertThat(runs.get(0)).isEqualTo(runs.get(1)).isNotEqualTo(runs.get(2))
        .isNotEqualTo(rows).containsExactlyInAnyOrderElementsOf(rows);
  }

  @Test
  void randomizeBlockOrderPermutesWholeBlocksPerSeedThroughSpills() {
    List<Row> rows = rows(3000, 19);
    List<List<Row>> runs = new ArrayList<>();
    OperatorStats stats = new OperatorStats("blocks");
    for (long seed : new long[] {1, 1, 2}) {
      try (Account account = arena.openAccount("blocks", 16 * Bytes.KiB, LIMIT)) {
        Exchange exchange = LocalExchange.of("Blocks", account, io, spill()).stats(stats);
        runs.add(drain(blocks(rows, 100).transform(RandomizeBlockOrder.of(exchange, seed))));
      }
    }
    assertThat(runs.get(0)).isEqualTo(runs.get(1)).isNotEqualTo(runs.get(2))
        .isNotEqualTo(rows).containsExactlyInAnyOrderElementsOf(rows);
    // Whole blocks moved: each run of 100 output rows is one input block, in order.
    for (int b = 0; b < 30; b++) {
      long first = runs.get(0).get(b * 100).id();
      assertThat(first % 100).isZero();
      assertThat(runs.get(0).subList(b * 100, b * 100 + 100))
          .isEqualTo(rows.subList((int) first, (int) first + 100));
    }
    assertThat(stats.snapshot().spills().bytesSpilled()).isPositive();
  }

  @Test
  void randomizeBlockOrderFailingUpstreamOrCancelledLeavesNoBytesAndNoSpillFiles() {
    List<Row> rows = rows(3000, 23);
    try (Account account = arena.openAccount("blocks", 16 * Bytes.KiB, LIMIT)) {
      StepVerifier.create(blocks(rows, 100)
              .concatWith(Flux.error(new IllegalStateException("upstream broke")))
              .transform(RandomizeBlockOrder.of(LocalExchange.of("B", account, io, spill()), 1)))
          .expectErrorMessage("upstream broke")
          .verify(Duration.ofSeconds(60));
      StepVerifier.create(blocks(rows, 100)
              .transform(RandomizeBlockOrder.of(LocalExchange.of("B", account, io, spill()), 1)),
              1)
          .consumeNextWith(Block::close)
          .thenCancel()
          .verify(Duration.ofSeconds(60));
      // The cancel is asynchronous to the reads on the I/O thread: wait for its tasks to end.
      ioTasksEnded();
      arena.awaitEmpty(Duration.ofSeconds(30));
    }
  }

  @Test
  void repartitionCutsIntoEvenBlocksInOrderOrByKey() {
    List<Row> rows = rows(1003, 17);
    try (Account account = arena.openAccount("repartition", 16 * Bytes.KiB, LIMIT)) {
      List<Integer> sizes = new ArrayList<>();
      List<Row> out = drain(blocks(rows, 97)
          .transform(Repartition.of(LocalExchange.of("R", account, io, spill()), 4, List.of(),
              account))
          .doOnNext(b -> sizes.add(b.rowCount())));
      assertThat(out).isEqualTo(rows);
      assertThat(sizes).containsExactly(250, 251, 251, 251);
      List<Set<Integer>> keysPerBlock = new ArrayList<>();
      List<Row> byKey = new ArrayList<>();
      blocks(rows, 97)
          .transform(Repartition.of(LocalExchange.of("R", account, io, spill()), 5,
              List.of("k"), account))
          .doOnNext(b -> {
            try (b) {
              keysPerBlock.add(new HashSet<>(Arrays.asList(
                  Arrays.stream(ColumnReader.values(b, "k")).map(v -> (Integer) v).toArray(Integer[]::new))));
              for (long id : ColumnReader.longs(b, "id")) {
                byKey.add(rows.get((int) id));
              }
            }
          }).blockLast(Duration.ofSeconds(60));
      assertThat(keysPerBlock).hasSizeLessThanOrEqualTo(5);
      for (int i = 0; i < keysPerBlock.size(); i++) {
        for (int j = i + 1; j < keysPerBlock.size(); j++) {
          Set<Integer> both = new HashSet<>(keysPerBlock.get(i));
          both.retainAll(keysPerBlock.get(j));
          assertThat(both).isEmpty();
        }
      }
      assertThat(byKey).containsExactlyInAnyOrderElementsOf(rows);
      assertThat(Objects.requireNonNull(out)).hasSize(1003);
    }
  }
}
