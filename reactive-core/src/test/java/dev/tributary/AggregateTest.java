package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.operators.aggregate.UserAggregate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.Disposable;

/**
 * Group-by and global aggregations against a reference computed with plain Java collections on
 * seeded data (ints, doubles with NaN and nulls, strings with nulls, skewed keys, one huge group,
 * empty input, a single row), the same pipelines under a tiny memory limit (spilling) and a large
 * one, and a cancel in the middle.
 */
class AggregateTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("aggregate")
      .memoryLimit(1 * Bytes.GiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path spill;

  @AfterEach
  void noLeaks() throws IOException {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    try (Stream<Path> files = Files.exists(spill) ? Files.walk(spill) : Stream.empty()) {
      assertThat(files.filter(Files::isRegularFile).toList()).as("spill files left").isEmpty();
    }
  }

  /** Seeded rows: k skewed int64 key, s string key with nulls, i int32 with nulls, d doubles. */
  private static List<Map<String, Object>> rows(int n, int keys, long seed) {
    Random r = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int row = 0; row < n; row++) {
      Map<String, Object> m = new HashMap<>();
      // Skewed: half of the rows in key 0, the rest spread.
      m.put("k", r.nextBoolean() ? 0L : (long) r.nextInt(Math.max(1, keys)));
      m.put("s", r.nextInt(10) == 0 ? null : "s" + r.nextInt(7));
      m.put("i", r.nextInt(8) == 0 ? null : r.nextInt(2001) - 1000);
      int kind = r.nextInt(12);
      // Quarter steps: sums are exact in any order.
      m.put("d", kind == 0 ? null : kind == 1 ? Double.NaN : (r.nextInt(4001) - 2000) / 4.0);
      rows.add(m);
    }
    return rows;
  }

  private Dataset dataset(List<Map<String, Object>> rows, int rowsPerBlock) {
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("k", rows.stream().map(m -> (Long) m.get("k")).toArray(Long[]::new));
    columns.put("s", rows.stream().map(m -> (String) m.get("s")).toArray(String[]::new));
    columns.put("i", rows.stream().map(m -> (Integer) m.get("i")).toArray(Integer[]::new));
    columns.put("d", rows.stream().map(m -> (Double) m.get("d")).toArray(Double[]::new));
    return Tributary.fromColumns(columns).withRuntime(runtime).rebatch(rowsPerBlock);
  }

  private static final Aggregate[] ALL = {
      Aggregate.count(), Aggregate.count("d").ignoreNulls(true).as("values(d)"),
      Aggregate.sum("i"), Aggregate.sum("d"), Aggregate.min("i"), Aggregate.max("i"),
      Aggregate.min("d"), Aggregate.max("d"), Aggregate.mean("i"), Aggregate.mean("d"),
      Aggregate.std("d"), Aggregate.var("i", 0), Aggregate.absMax("d"), Aggregate.unique("s"),
      Aggregate.quantile("d", 0.5), Aggregate.min("s"), Aggregate.max("s"),
      Aggregate.sum("d").ignoreNulls(false).as("strict_sum(d)")};

  /** Ray Data's semantics over plain Java values: NaN is null, nulls skipped unless strict. */
  private static Map<String, Object> reference(List<Map<String, Object>> group) {
    List<Long> ints = values(group, "i").map(v -> ((Integer) v).longValue()).toList();
    List<Double> ds = values(group, "d").map(v -> (Double) v).toList();
    List<String> ss = values(group, "s").map(v -> (String) v).toList();
    Map<String, Object> out = new HashMap<>();
    out.put("count()", (long) group.size());
    out.put("values(d)", (long) ds.size());
    out.put("sum(i)", ints.isEmpty() ? null : ints.stream().mapToLong(x -> x).sum());
    out.put("sum(d)", ds.isEmpty() ? null : ds.stream().mapToDouble(x -> x).sum());
    out.put("min(i)", ints.stream().min(Long::compare).orElse(null));
    out.put("max(i)", ints.stream().max(Long::compare).orElse(null));
    out.put("min(d)", ds.stream().min(Double::compare).orElse(null));
    out.put("max(d)", ds.stream().max(Double::compare).orElse(null));
    out.put("mean(i)", ints.isEmpty() ? null : ints.stream().mapToLong(x -> x).average()
        .getAsDouble());
    out.put("mean(d)", ds.isEmpty() ? null : ds.stream().mapToDouble(x -> x).average()
        .getAsDouble());
    out.put("std(d)", variance(ds, 1) == null ? null : Math.sqrt(variance(ds, 1)));
    out.put("var(i)", variance(ints.stream().map(Long::doubleValue).toList(), 0));
    out.put("abs_max(d)", ds.stream().map(Math::abs).max(Double::compare).orElse(null));
    out.put("unique(s)", new ArrayList<>(new TreeSet<>(ss)));
    out.put("quantile(d)", quantile(ds, 0.5));
    out.put("min(s)", ss.stream().min(Comparator.naturalOrder()).orElse(null));
    out.put("max(s)", ss.stream().max(Comparator.naturalOrder()).orElse(null));
    boolean anyNull = group.stream().anyMatch(m -> m.get("d") == null
        || ((Double) m.get("d")).isNaN());
    out.put("strict_sum(d)", anyNull ? null : out.get("sum(d)"));
    return out;
  }

  private static Stream<Object> values(List<Map<String, Object>> group, String column) {
    return group.stream().map(m -> m.get(column))
        .filter(v -> v != null && !(v instanceof Double d && d.isNaN()));
  }

  private static Double variance(List<Double> xs, int ddof) {
    if (xs.size() - ddof <= 0) {
      return null;
    }
    double mean = xs.stream().mapToDouble(x -> x).average().orElse(0);
    return xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (xs.size() - ddof);
  }

  private static Double quantile(List<Double> xs, double q) {
    if (xs.isEmpty()) {
      return null;
    }
    double[] sorted = xs.stream().mapToDouble(x -> x).sorted().toArray();
    double rank = q * (sorted.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  }

  private static void assertMatches(Map<String, Object> expected, Map<String, Object> actual,
      String where) {
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      Object want = e.getValue();
      Object got = actual.get(e.getKey());
      if (want instanceof Double w && got instanceof Double g) {
        assertThat(g).as(where + " " + e.getKey()).isCloseTo(w,
            org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(w))));
      } else {
        assertThat(got).as(where + " " + e.getKey()).isEqualTo(want);
      }
    }
  }

  private static Map<Object, Map<String, Object>> byKey(List<Map<String, Object>> rows,
      Function<Map<String, Object>, Object> key) {
    Map<Object, Map<String, Object>> out = new HashMap<>();
    for (Map<String, Object> row : rows) {
      assertThat(out.put(key.apply(row), row)).as("one row per group").isNull();
    }
    return out;
  }

  @ParameterizedTest(name = "{0} rows, {1} keys, {2} rows per block")
  @CsvSource({"0, 10, 100", "1, 10, 100", "5000, 1, 512", "20000, 300, 1000",
      "3000, 3000, 7"})
  void groupByMatchesPlainJava(int n, int keys, int rowsPerBlock) {
    List<Map<String, Object>> rows = rows(n, keys, n * 31L + keys);
    List<Map<String, Object>> result = dataset(rows, rowsPerBlock).groupBy("k").aggregate(ALL)
        .takeAll();
    Map<Object, List<Map<String, Object>>> groups = new HashMap<>();
    rows.forEach(m -> groups.computeIfAbsent(m.get("k"), x -> new ArrayList<>()).add(m));
    Map<Object, Map<String, Object>> got = byKey(result, m -> m.get("k"));
    assertThat(got.keySet()).isEqualTo(groups.keySet());
    groups.forEach((k, group) -> assertMatches(reference(group), got.get(k), "key " + k));
  }

  @Test
  void twoKeysWithNullKeysFormTheirOwnGroups() {
    List<Map<String, Object>> rows = rows(4000, 5, 7);
    List<Map<String, Object>> result = dataset(rows, 300).groupBy("k", "s")
        .aggregate(Aggregate.count(), Aggregate.sum("i")).takeAll();
    Map<List<Object>, List<Map<String, Object>>> groups = new HashMap<>();
    rows.forEach(m -> groups.computeIfAbsent(Arrays.asList(m.get("k"), m.get("s")),
        x -> new ArrayList<>()).add(m));
    Map<Object, Map<String, Object>> got = byKey(result,
        m -> Arrays.asList(m.get("k"), m.get("s")));
    assertThat(got.keySet()).isEqualTo(groups.keySet());
    assertThat(got).containsKey(Arrays.asList(0L, null));
    groups.forEach((k, group) -> {
      assertThat(got.get(k).get("count()")).isEqualTo((long) group.size());
      assertThat(got.get(k).get("sum(i)")).isEqualTo(reference(group).get("sum(i)"));
    });
  }

  /**
   * {@code unique} of a column with more distinct values than the memory limit holds spills
   * (a global unique state failed with a memory error), and skips nulls and NaN but keeps both
   * zeros, as {@code Aggregate.unique} does.
   */
  @Test
  void uniqueBeyondTheMemoryLimitSpillsInsteadOfFailing() {
    int n = 400_000;
    long[] id = new long[n];
    Double[] d = new Double[n];
    for (int i = 0; i < n; i++) {
      id[i] = (i * 7919L) % n;
      d[i] = i % 5 == 0 ? null : i % 5 == 1 ? Double.NaN : i % 5 == 2 ? -0.0 : i % 5 == 3 ? 0.0
          : (i % 50) / 2.0;
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("id", id);
    columns.put("d", d);
    long limit = 4 * Bytes.MiB;
    Dataset ds = Tributary.fromColumns(columns).rebatch(10_000)
        .withContext(DataContext.defaults().withMemoryLimit(limit).withSpillDirectory(spill));

    List<Object> ids = ds.unique("id");
    assertThat(ids).hasSize(n);
    assertThat(ids.get(0)).isEqualTo(0L);
    assertThat(ids.get(n - 1)).isEqualTo((long) n - 1);
    assertThat(ds.stats().operator("Aggregate").spills().bytesSpilled()).isPositive();
    assertThat(ds.stats().arenaPeakBytes()).isLessThanOrEqualTo(limit);

    List<Object> expected = new ArrayList<>(new TreeSet<>(Arrays.stream(d)
        .filter(x -> x != null && !x.isNaN()).toList()));
    assertThat(ds.unique("d")).isEqualTo(expected).contains(-0.0, 0.0);
    assertThat(ds.unique("d")).isEqualTo(ds.aggregate(Aggregate.unique("d")).get("unique(d)"));
    // The global aggregation keeps every value in one state: a typed error that says what spills.
    assertThatThrownBy(() -> ds.aggregate(Aggregate.unique("id")))
        .isInstanceOf(dev.tributary.memory.MemoryLimitExceededException.class)
        .hasMessageContaining("[unique(id)] keeps its values in memory and cannot spill")
        .hasMessageContaining("Dataset.unique(column)");
  }

  @Test
  void aTinyMemoryLimitSpillsAndGivesTheSameGroups() {
    List<Map<String, Object>> rows = rows(30_000, 10_000, 11);
    Function<Long, Dataset> run = limit -> dataset(rows, 2000)
        .withContext(DataContext.defaults().withMemoryLimit(limit).withSpillDirectory(spill))
        .groupBy("k").aggregate(ALL);
    Dataset large = run.apply(512 * Bytes.MiB);
    Map<Object, Map<String, Object>> expected = byKey(large.takeAll(), m -> m.get("k"));
    assertThat(large.stats().operator("Aggregate").spills().bytesSpilled()).isZero();

    long tiny = 2 * Bytes.MiB;
    Dataset small = run.apply(tiny);
    Map<Object, Map<String, Object>> got = byKey(small.takeAll(), m -> m.get("k"));
    OperatorSnapshot aggregate = small.stats().operator("Aggregate");
    assertThat(aggregate.spills().bytesSpilled()).isPositive();
    assertThat(aggregate.spills().bytesRestored()).isEqualTo(aggregate.spills().bytesSpilled());
    assertThat(small.stats().arenaPeakBytes()).isLessThanOrEqualTo(tiny);
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    expected.forEach((k, row) -> assertMatches(row, got.get(k), "key " + k));
  }

  @Test
  void globalAggregatesMatchPlainJava() {
    List<Map<String, Object>> rows = rows(10_000, 50, 3);
    Dataset ds = dataset(rows, 999);
    Map<String, Object> expected = reference(rows);
    assertMatches(expected, ds.aggregate(ALL), "global");
    assertThat(ds.sum("i")).isEqualTo(expected.get("sum(i)"));
    assertThat(ds.sum("d").doubleValue()).isEqualTo((Double) expected.get("sum(d)"));
    assertThat(ds.min("i")).isEqualTo(expected.get("min(i)"));
    assertThat(ds.max("s")).isEqualTo(expected.get("max(s)"));
    assertThat(ds.mean("d")).isCloseTo((Double) expected.get("mean(d)"),
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ds.std("d", 1)).isCloseTo((Double) expected.get("std(d)"),
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ds.unique("s")).isEqualTo(expected.get("unique(s)"));
    assertThat(ds.unique("k")).isEqualTo(new ArrayList<>(new TreeSet<>(
        rows.stream().map(m -> m.get("k")).toList())));
    assertThat(ds.sumMono("i").block()).isEqualTo(expected.get("sum(i)"));
  }

  /**
   * Columns without nulls take the global sum's one-loop path: NaN is still skipped (and not
   * counted by the mean), an int64 sum that overflows is still a typed error.
   */
  @Test
  void globalSumsOfColumnsWithoutNullsSkipNaNAndCatchOverflow() {
    Random r = new Random(9);
    double[] d = new double[5000];
    long[] l = new long[5000];
    double sum = 0;
    long values = 0;
    long lsum = 0;
    for (int i = 0; i < d.length; i++) {
      d[i] = i % 17 == 0 ? Double.NaN : r.nextDouble() - 0.5;
      if (!Double.isNaN(d[i])) {
        sum += d[i];
        values++;
      }
      l[i] = r.nextInt(2001) - 1000;
      lsum += l[i];
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("d", d);
    columns.put("l", l);
    Dataset ds = Tributary.fromColumns(columns).withRuntime(runtime).rebatch(700);
    assertThat(ds.sum("d").doubleValue()).isCloseTo(sum,
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ds.mean("d")).isCloseTo(sum / values, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(ds.sum("l")).isEqualTo(lsum);
    assertThat(ds.mean("l")).isCloseTo((double) lsum / l.length,
        org.assertj.core.data.Offset.offset(1e-12));
    Dataset overflow = Tributary.fromColumns(Map.of("l", new long[] {Long.MAX_VALUE, 1}))
        .withRuntime(runtime);
    assertThatThrownBy(() -> overflow.sum("l")).isInstanceOf(ColumnException.class)
        .hasMessageContaining("overflows");
  }

  @Test
  void globalAggregatesOfNoRowsAreNullButTheCount() {
    Dataset empty = dataset(rows(0, 1, 1), 10);
    Map<String, Object> got = empty.aggregate(Aggregate.count(), Aggregate.sum("i"),
        Aggregate.mean("d"), Aggregate.unique("s"));
    assertThat(got.get("count()")).isEqualTo(0L);
    assertThat(got.get("sum(i)")).isNull();
    assertThat(got.get("mean(d)")).isNull();
    assertThat(empty.sum("i")).isNull();
    assertThat(empty.unique("s")).isEmpty();
  }

  @Test
  void groupedShortcutsNameTheirColumnsAfterRay() {
    List<Map<String, Object>> rows = rows(500, 4, 5);
    Dataset ds = dataset(rows, 100);
    assertThat(ds.groupBy("k").count().takeAll().get(0)).containsOnlyKeys("k", "count()");
    assertThat(ds.groupBy("k").sum("i", "d").takeAll().get(0))
        .containsOnlyKeys("k", "sum(i)", "sum(d)");
    assertThat(ds.groupBy("k").std("d").takeAll().get(0)).containsOnlyKeys("k", "std(d)");
  }

  @Test
  void userAggregatesSeeArrowBatchesOfOneGroup() {
    List<Map<String, Object>> rows = rows(6000, 40, 9);
    // Sum of k * rows: every batch must hold rows of a single group.
    UserAggregate<Long> keyTimesRows = new UserAggregate<>() {
      @Override
      public Long init() {
        return 0L;
      }

      @Override
      public Long accumulate(Long acc, VectorSchemaRoot batch) {
        BigIntVector k = (BigIntVector) batch.getVector("k");
        for (int i = 1; i < batch.getRowCount(); i++) {
          assertThat(k.get(i)).isEqualTo(k.get(0));
        }
        return acc + (batch.getRowCount() == 0 ? 0 : k.get(0) * batch.getRowCount());
      }

      @Override
      public Long merge(Long left, Long right) {
        return left + right;
      }

      @Override
      public Object finish(Long acc) {
        return acc;
      }
    };
    for (long limit : new long[] {512 * Bytes.MiB, 2 * Bytes.MiB}) {
      List<Map<String, Object>> result = dataset(rows, 500)
          .withContext(DataContext.defaults().withMemoryLimit(limit).withSpillDirectory(spill))
          .groupBy("k").aggregate(Aggregate.of("kn", keyTimesRows), Aggregate.count()).takeAll();
      for (Map<String, Object> row : result) {
        assertThat(row.get("kn")).isEqualTo((Long) row.get("k") * (Long) row.get("count()"));
      }
      assertThat(result.stream().mapToLong(r -> (Long) r.get("count()")).sum()).isEqualTo(6000);
    }
  }

  @ParameterizedTest(name = "memory limit {0} MiB")
  @org.junit.jupiter.params.provider.ValueSource(longs = {512, 2})
  void mapGroupsSeesEachWholeGroupOnce(long limitMiB) {
    List<Map<String, Object>> rows = rows(30_000, 10_000, 17);
    java.util.Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Dataset ds = dataset(rows, 2000)
        .withContext(DataContext.defaults().withMemoryLimit(limitMiB * Bytes.MiB)
            .withSpillDirectory(spill))
        .groupBy("k").mapGroups((batch, allocator) -> {
          BigIntVector k = (BigIntVector) batch.getVector("k");
          assertThat(seen.add(k.get(0))).as("group " + k.get(0) + " seen once").isTrue();
          BigIntVector key = new BigIntVector("k", allocator);
          BigIntVector n = new BigIntVector("n", allocator);
          key.allocateNew(1);
          n.allocateNew(1);
          key.set(0, k.get(0));
          n.set(0, batch.getRowCount());
          key.setValueCount(1);
          n.setValueCount(1);
          return new VectorSchemaRoot(List.of(key, n));
        });
    Map<Object, Long> expected = new HashMap<>();
    rows.forEach(m -> expected.merge(m.get("k"), 1L, Long::sum));
    Map<Object, Object> got = new HashMap<>();
    ds.takeAll().forEach(m -> assertThat(got.put(m.get("k"), m.get("n"))).isNull());
    assertThat(got).isEqualTo(new HashMap<>(expected));
    if (limitMiB == 2) {
      assertThat(ds.stats().operator("MapGroups").spills().bytesSpilled()).isPositive();
      assertThat(ds.stats().arenaPeakBytes()).isLessThanOrEqualTo(2 * Bytes.MiB);
    }
  }

  @Test
  void unknownColumnsAndWrongTypesAreRefusedWhenThePlanIsBuilt(@TempDir Path dir) {
    dataset(rows(10, 2, 1), 5).writeParquet(dir.toString());
    // A Parquet read knows its columns and types from the footer, without running.
    Dataset ds = Tributary.readParquet(dir.toString()).withRuntime(runtime);
    assertThatThrownBy(() -> ds.groupBy("nope")).isInstanceOf(ColumnException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> ds.groupBy("k").sum("nope")).isInstanceOf(ColumnException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> ds.groupBy("k").aggregate(Aggregate.sum("s")))
        .isInstanceOf(ColumnException.class).hasMessageContaining("numeric");
    assertThatThrownBy(() -> ds.groupBy("k").aggregate(Aggregate.count(), Aggregate.count()))
        .isInstanceOf(ColumnException.class).hasMessageContaining("as(");
    assertThatThrownBy(() -> ds.sum("nope")).isInstanceOf(ColumnException.class);
  }

  @Test
  void cancelInTheMiddleOfAGroupByLeavesNoMemoryAndNoSpillFile() throws Exception {
    List<Map<String, Object>> rows = rows(60_000, 20_000, 13);
    AtomicInteger seen = new AtomicInteger();
    AtomicReference<Disposable> subscription = new AtomicReference<>();
    java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
    Dataset ds = dataset(rows, 2000)
        .withContext(DataContext.defaults().withMemoryLimit(2 * Bytes.MiB)
            .withSpillDirectory(spill))
        .mapBatches(batch -> {
          // Cancel once enough blocks went in for the table to have spilled.
          if (seen.incrementAndGet() == 25) {
            Disposable d = subscription.get();
            if (d != null) {
              d.dispose();
            }
            cancelled.countDown();
          }
          return batch;
        })
        .groupBy("k").aggregate(ALL);
    subscription.set(ds.toFlux(b -> b.rowCount()).subscribe());
    cancelled.await();
    assertThat(Objects.requireNonNull(subscription.get()).isDisposed()).isTrue();
    // noLeaks (after each) closes the runtime, which waits for the execution to end, then
    // checks for 0 bytes and no spill file.
  }
}
