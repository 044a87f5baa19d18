package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.exchange.InsufficientMemoryException;
import dev.tributary.operators.exchange.SortKey;
import dev.tributary.operators.exchange.SpillSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * Sort, shuffle, repartition and materialize on datasets: against plain-Java references, the
 * same pipeline under a tiny memory limit (forcing spills) and a large one giving the same rows,
 * and nothing left (bytes or spill files) after success, cancel or error.
 */
class ExchangeOperatorsTest {
  private static final long TINY = 4 * Bytes.MiB;
  private final TributaryRuntime tiny = TributaryRuntime.builder().name("tiny").memoryLimit(TINY)
      .build();
  private final TributaryRuntime large = TributaryRuntime.builder().name("large")
      .memoryLimit(256 * Bytes.MiB).build();

  @TempDir Path spillDir;

  @AfterEach
  void nothingLeft() throws Exception {
    tiny.close();
    large.close();
    assertThat(tiny.arena().allocatedBytes()).as(tiny.arena().report()).isZero();
    assertThat(large.arena().allocatedBytes()).as(large.arena().report()).isZero();
    try (Stream<Path> left = Files.list(spillDir)) {
      assertThat(left).isEmpty();
    }
  }

  /** Rows with skewed int keys, doubles with NaN and nulls, strings with nulls. */
  private static Map<String, Object> columns(int rows, long seed) {
    Random r = new Random(seed);
    long[] id = new long[rows];
    Integer[] k = new Integer[rows];
    Double[] x = new Double[rows];
    String[] s = new String[rows];
    for (int i = 0; i < rows; i++) {
      id[i] = i;
      k[i] = r.nextInt(10) == 0 ? null : (r.nextBoolean() ? 7 : r.nextInt(100) - 50);
      int pick = r.nextInt(12);
      x[i] = pick == 0 ? null : pick == 1 ? Double.NaN : r.nextGaussian();
      s[i] = r.nextInt(8) == 0 ? null : "s" + r.nextInt(1000);
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("id", id);
    columns.put("k", k);
    columns.put("x", x);
    columns.put("s", s);
    return columns;
  }

  private Dataset data(TributaryRuntime runtime, int rows) {
    // A small limit in the context too: the execution's cap is the smaller of the two.
    return Tributary.fromColumns(columns(rows, 42)).withRuntime(runtime)
        .withContext(DataContext.defaults().toBuilder().memoryLimit(runtime.memoryLimit())
            .spill(new SpillSettings(spillDir, 4 * Bytes.GiB)).build());
  }

  private static List<Map<String, Object>> reference(int rows) {
    Map<String, Object> c = columns(rows, 42);
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", ((long[]) c.get("id"))[i]);
      row.put("k", ((Integer[]) c.get("k"))[i]);
      row.put("x", ((Double[]) c.get("x"))[i]);
      row.put("s", ((String[]) c.get("s"))[i]);
      out.add(row);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Comparable<T>> Comparator<Map<String, Object>> by(String column,
      boolean descending, boolean nullsLast) {
    Comparator<T> natural = descending ? Comparator.<T>reverseOrder() : Comparator.naturalOrder();
    return Comparator.comparing(m -> (T) m.get(column),
        nullsLast ? Comparator.nullsLast(natural) : Comparator.nullsFirst(natural));
  }

  private static OperatorSnapshot stage(Dataset ds, String prefix) {
    return ds.stats().operators().stream().filter(o -> o.name().startsWith(prefix))
        .findFirst().orElseThrow();
  }

  @Test
  void sortUnderATinyLimitSpillsAndMatchesALargeLimitAndAStableJavaSort() {
    int rows = 120_000;
    List<Map<String, Object>> expected = new ArrayList<>(reference(rows));
    expected.sort(ExchangeOperatorsTest.<Integer>by("k", true, false)
        .thenComparing(ExchangeOperatorsTest.<Double>by("x", false, true)));
    Dataset small = data(tiny, rows).sort(new SortKey("k", true, false), SortKey.asc("x"));
    Dataset big = data(large, rows).sort(new SortKey("k", true, false), SortKey.asc("x"));
    List<Map<String, Object>> fromSmall = small.takeAll();
    assertThat(fromSmall).isEqualTo(expected);
    assertThat(big.takeAll()).isEqualTo(fromSmall);
    assertThat(stage(small, "Sort").spills().bytesSpilled()).isPositive();
    assertThat(stage(big, "Sort").spills().bytesSpilled()).isZero();
    assertThat(small.stats().arenaPeakBytes()).isLessThanOrEqualTo(TINY);
  }

  @Test
  void sortOfOneRowAndOfNothing() {
    assertThat(data(large, 1).sort("x").takeAll()).isEqualTo(reference(1));
    assertThat(data(large, 0).sort("x").takeAll()).isEmpty();
  }

  @Test
  void anUnknownSortKeyIsRefusedWhenThePlanIsBuilt() {
    Dataset ids = Tributary.range(10).withRuntime(large);
    assertThatThrownBy(() -> ids.sort("nope"))
        .isInstanceOf(ColumnException.class)
        .hasMessageContaining("nope")
        .hasMessageContaining("sort");
    assertThatThrownBy(() -> ids.repartition(3, "nope"))
        .isInstanceOf(ColumnException.class);
  }

  @Test
  void aSortCancelledMidwayLeavesNoBytesAndNoSpillFiles() {
    StepVerifier.create(data(tiny, 120_000).sort("x").toFlux(b -> b.rowCount()), 1)
        .expectNextCount(1)
        .thenCancel()
        .verify(Duration.ofSeconds(60));
    // nothingLeft() closes the runtime, which waits for the cancelled execution to end.
  }

  @Test
  void randomShuffleIsAPermutationDeterministicPerSeedUnderAnyLimit() {
    int rows = 50_000;
    List<Map<String, Object>> one = data(tiny, rows).randomShuffle(7).takeAll();
    List<Map<String, Object>> again = data(large, rows).randomShuffle(7).takeAll();
    List<Map<String, Object>> other = data(large, rows).randomShuffle(8).takeAll();
    assertThat(one).isEqualTo(again).isNotEqualTo(other).isNotEqualTo(reference(rows));
    assertThat(byId(one)).isEqualTo(reference(rows));
  }

  @Test
  void repartitionMakesEvenBlocksInOrderOrGroupsKeys() {
    Dataset even = data(tiny, 10_001).repartition(7);
    List<Integer> sizes = even.toFlux(b -> b.rowCount()).collectList().block();
    assertThat(sizes).hasSize(7);
    assertThat(Objects.requireNonNull(sizes).stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(10_001);
    assertThat(even.takeAll()).isEqualTo(reference(10_001));
    List<Map<String, Object>> byKey = data(tiny, 10_001).repartition(5, "k").takeAll();
    assertThat(byId(byKey)).isEqualTo(reference(10_001));
  }

  @Test
  void materializeAboveTheLimitSpillsAndIsReadManyTimesUntilUnpersisted() {
    // 16 MiB of ids under a 4 MiB runtime: failed with MemoryLimitExceededException before.
    Dataset ids = Tributary.range(2_000_000, 40).withRuntime(tiny)
        .withContext(DataContext.defaults().toBuilder().memoryLimit(TINY)
            .spill(new SpillSettings(spillDir, 4 * Bytes.GiB)).build());
    long expected = 2_000_000L * 1_999_999L / 2;
    try (MaterializedDataset kept = ids.materialize()) {
      assertThat(kept.storageLevel()).isEqualTo(StorageLevel.MEMORY_AND_DISK);
      assertThat(kept.spillStats().bytesSpilled()).isPositive();
      assertThat(kept.sizeBytes()).isLessThanOrEqualTo(TINY / 2);
      for (int epoch = 0; epoch < 3; epoch++) {
        assertThat(sum(kept)).isEqualTo(expected);
      }
      kept.unpersist();
      assertThatThrownBy(() -> sum(kept)).isInstanceOf(IllegalStateException.class);
    }
    try (MaterializedDataset disk = ids.materialize(StorageLevel.DISK_ONLY)) {
      assertThat(disk.sizeBytes()).isZero();
      assertThat(sum(disk)).isEqualTo(expected);
    }
  }

  @Test
  void memoryOnlyRefusesDataThatDoesNotFitNamingTheShortfall() {
    Dataset ids = Tributary.range(2_000_000, 40).withRuntime(tiny)
        .withContext(DataContext.defaults().toBuilder().memoryLimit(TINY)
            .spill(new SpillSettings(spillDir, 4 * Bytes.GiB)).build());
    assertThatThrownBy(() -> ids.materialize(StorageLevel.MEMORY_ONLY))
        .isInstanceOf(InsufficientMemoryException.class)
        .hasMessageContaining("MEMORY_ONLY")
        .hasMessageContaining("short by");
    try (MaterializedDataset fits = Tributary.range(1000).withRuntime(tiny)
        .materialize(StorageLevel.MEMORY_ONLY)) {
      assertThat(fits.spillStats().bytesSpilled()).isZero();
      assertThat(fits.count()).isEqualTo(1000);
    }
  }

  @Test
  void splitsCutTheRowsInOrderAndFreeTheCopyWithTheirLastPart() {
    int rows = 10_003;
    List<MaterializedDataset> even = data(tiny, rows).split(3, false);
    assertThat(even).extracting(Dataset::count).containsExactly(3334L, 3334L, 3335L);
    List<Map<String, Object>> joined = new ArrayList<>();
    even.forEach(p -> joined.addAll(p.takeAll()));
    assertThat(joined).isEqualTo(reference(rows));
    even.forEach(MaterializedDataset::unpersist);

    List<MaterializedDataset> equal = data(tiny, rows).split(3, true);
    assertThat(equal).extracting(Dataset::count).containsExactly(3334L, 3334L, 3334L);
    assertThat(equal.get(2).takeAll()).isEqualTo(reference(rows).subList(6668, 10_002));
    equal.forEach(MaterializedDataset::unpersist);

    List<MaterializedDataset> at = data(tiny, rows).splitAt(0, 10, 10_003);
    assertThat(at).extracting(Dataset::count).containsExactly(0L, 10L, 9993L, 0L);
    assertThat(at.get(1).takeAll()).isEqualTo(reference(rows).subList(0, 10));
    at.forEach(MaterializedDataset::unpersist);
    assertThatThrownBy(() -> data(tiny, 5).splitAt(3, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void trainTestSplitIsDeterministicPerSeedAndCoversEveryRowOnce() {
    int rows = 5000;
    List<MaterializedDataset> one = data(tiny, rows).trainTestSplit(0.2, 3);
    List<MaterializedDataset> again = data(large, rows).trainTestSplit(0.2, 3);
    try {
      assertThat(one.get(1).count()).isEqualTo(1000);
      assertThat(one.get(0).takeAll()).isEqualTo(again.get(0).takeAll());
      List<Map<String, Object>> all = new ArrayList<>(one.get(0).takeAll());
      all.addAll(one.get(1).takeAll());
      assertThat(byId(all)).isEqualTo(reference(rows));
    } finally {
      one.forEach(MaterializedDataset::unpersist);
      again.forEach(MaterializedDataset::unpersist);
    }
  }

  @Test
  void randomSampleKeepsTheSameRowsPerSeedWhateverTheBlocks() {
    int rows = 20_000;
    List<Map<String, Object>> one = data(large, rows).randomSample(0.1, 5).takeAll();
    List<Map<String, Object>> recut = data(large, rows).rebatch(333).randomSample(0.1, 5)
        .takeAll();
    assertThat(one).isEqualTo(recut).hasSizeBetween(1600, 2400);
    assertThat(data(large, rows).randomSample(0.1, 6).takeAll()).isNotEqualTo(one);
    List<Map<String, Object>> ref = reference(rows);
    assertThat(one).allMatch(r -> r.equals(ref.get((int) (long) (Long) r.get("id"))));
    assertThat(data(large, rows).randomSample(0, 5).count()).isZero();
    assertThatThrownBy(() -> data(large, rows).randomSample(1.5, 5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** The rows in id order (a linear check that a result is a permutation of the input). */
  private static List<Map<String, Object>> byId(List<Map<String, Object>> rows) {
    List<Map<String, Object>> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingLong(m -> (Long) m.get("id")));
    return sorted;
  }

  private static long sum(Dataset ds) {
    return Objects.requireNonNull(ds.toFlux(b -> {
      long s = 0;
      for (long v : ColumnReader.longs(b, "id")) {
        s += v;
      }
      return s;
    }).reduce(0L, Long::sum).block());
  }
}
