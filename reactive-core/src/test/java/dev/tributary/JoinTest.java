package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.join.JoinKeyMismatchException;
import dev.tributary.operators.join.JoinType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.Disposable;

/**
 * Every join type against a reference computed with plain Java collections on seeded data
 * (nullable and skewed keys, one huge group, empty sides, a single row), broadcast (a large
 * limit) and grace (a tiny limit, spilling) giving the same rows, plan-time checks and a cancel.
 */
class JoinTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("join")
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

  /** Rows {k (nullable; 1 in {@code hot} is key 0), <prefix>v int, <prefix>s string}. */
  private static List<Map<String, Object>> side(int n, int keys, String prefix, long seed,
      int hot) {
    Random r = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> m = new HashMap<>();
      m.put("k", r.nextInt(20) == 0 ? null : r.nextInt(hot) == 0 ? 0L : (long) r.nextInt(keys));
      m.put(prefix + "v", r.nextInt(10) == 0 ? null : i);
      m.put(prefix + "s", prefix + r.nextInt(100));
      rows.add(m);
    }
    return rows;
  }

  private Dataset dataset(List<Map<String, Object>> rows, String prefix, int rowsPerBlock,
      long limit) {
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("k", rows.stream().map(m -> (Long) m.get("k")).toArray(Long[]::new));
    columns.put(prefix + "v", rows.stream().map(m -> (Integer) m.get(prefix + "v"))
        .toArray(Integer[]::new));
    columns.put(prefix + "s", rows.stream().map(m -> (String) m.get(prefix + "s"))
        .toArray(String[]::new));
    return Tributary.fromColumns(columns).withRuntime(runtime)
        .withContext(DataContext.defaults().withMemoryLimit(limit).withSpillDirectory(spill))
        .rebatch(rowsPerBlock);
  }

  private static List<String> reference(List<Map<String, Object>> left,
      List<Map<String, Object>> right, JoinType how) {
    List<Map<String, Object>> out = new ArrayList<>();
    boolean[] rightMatched = new boolean[right.size()];
    for (Map<String, Object> l : left) {
      boolean matched = false;
      for (int j = 0; j < right.size(); j++) {
        Map<String, Object> r = right.get(j);
        if (l.get("k") != null && Objects.equals(l.get("k"), r.get("k"))) {
          matched = true;
          rightMatched[j] = true;
          if (!how.leftColumnsOnly()) {
            Map<String, Object> row = new HashMap<>(l);
            row.putAll(r);
            out.add(row);
          }
        }
      }
      if (how == JoinType.LEFT_SEMI && matched || how == JoinType.LEFT_ANTI && !matched) {
        out.add(l);
      }
      if (!matched && (how == JoinType.LEFT_OUTER || how == JoinType.FULL_OUTER)) {
        Map<String, Object> row = new HashMap<>(l);
        row.put("rv", null);
        row.put("rs", null);
        out.add(row);
      }
    }
    if (how == JoinType.RIGHT_OUTER || how == JoinType.FULL_OUTER) {
      for (int j = 0; j < right.size(); j++) {
        if (!rightMatched[j]) {
          Map<String, Object> row = new HashMap<>(right.get(j));
          row.put("lv", null);
          row.put("ls", null);
          out.add(row);
        }
      }
    }
    return canonical(out);
  }

  /**
   * Rows as sorted text, null values left out: a side with no block and no schema known before
   * running adds no columns to an outer join (its column names are unknown).
   */
  private static List<String> canonical(List<Map<String, Object>> rows) {
    return rows.stream().map(m -> {
      Map<String, Object> sorted = new TreeMap<>();
      m.forEach((k, v) -> {
        if (v != null) {
          sorted.put(k, v);
        }
      });
      return sorted.toString();
    }).sorted().toList();
  }

  @ParameterizedTest(name = "{0}: {1} x {2} rows, {3} keys")
  @CsvSource({
      "INNER, 3000, 2000, 500", "LEFT_OUTER, 3000, 2000, 500", "RIGHT_OUTER, 3000, 2000, 500",
      "FULL_OUTER, 3000, 2000, 500", "LEFT_SEMI, 3000, 2000, 500", "LEFT_ANTI, 3000, 2000, 500",
      "INNER, 0, 100, 5", "LEFT_OUTER, 100, 0, 5", "RIGHT_OUTER, 0, 100, 5",
      "FULL_OUTER, 1, 1, 1", "INNER, 300, 300, 1"})
  void everyJoinTypeMatchesPlainJava(JoinType how, int leftRows, int rightRows, int keys) {
    List<Map<String, Object>> left = side(leftRows, keys, "l", leftRows + 7L * keys, 20);
    List<Map<String, Object>> right = side(rightRows, keys, "r", rightRows + 3L * keys, 20);
    List<String> expected = reference(left, right, how);
    Dataset broadcast = dataset(left, "l", 250, 512 * Bytes.MiB)
        .join(dataset(right, "r", 250, 512 * Bytes.MiB), List.of("k"), how);
    assertThat(canonical(broadcast.takeAll())).isEqualTo(expected);
    assertThat(broadcast.stats().operator("Join").spills().spilledBytes()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"INNER", "LEFT_OUTER", "RIGHT_OUTER", "FULL_OUTER", "LEFT_SEMI", "LEFT_ANTI"})
  void aTinyMemoryLimitSpillsAndGivesTheSameRows(JoinType how) {
    List<Map<String, Object>> left = side(20_000, 8000, "l", 1, 200);
    List<Map<String, Object>> right = side(20_000, 8000, "r", 2, 200);
    long tiny = 2 * Bytes.MiB;
    Dataset large = dataset(left, "l", 1000, 512 * Bytes.MiB)
        .join(dataset(right, "r", 1000, 512 * Bytes.MiB), List.of("k"), how);
    Dataset small = dataset(left, "l", 1000, tiny)
        .join(dataset(right, "r", 1000, tiny), List.of("k"), how);
    List<String> expected = canonical(large.takeAll());
    List<String> got = canonical(small.takeAll());
    OperatorSnapshot join = small.stats().operator("Join");
    assertThat(join.spills().spilledBytes()).isPositive();
    assertThat(small.stats().arenaPeakBytes()).isLessThanOrEqualTo(tiny);
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void keyTypesThatDifferAreRefusedNamingBoth(@TempDir Path dir) {
    Map<String, Object> l = Map.of("k", new long[] {1, 2}, "a", new int[] {1, 2});
    Map<String, Object> r = Map.of("k", new String[] {"1", "2"}, "b", new int[] {1, 2});
    Tributary.fromColumns(l).withRuntime(runtime).writeParquet(dir.resolve("l").toString());
    Tributary.fromColumns(r).withRuntime(runtime).writeParquet(dir.resolve("r").toString());
    Dataset left = Tributary.readParquet(dir.resolve("l").toString()).withRuntime(runtime);
    Dataset right = Tributary.readParquet(dir.resolve("r").toString()).withRuntime(runtime);
    // Known schemas: refused when the plan is built.
    assertThatThrownBy(() -> left.join(right, "k"))
        .isInstanceOf(JoinKeyMismatchException.class)
        .hasMessageContaining("Int(64, true)").hasMessageContaining("Utf8");
    // Schemas known only by running: refused when the first blocks meet.
    Dataset unknownLeft = Tributary.fromColumns(l).withRuntime(runtime);
    Dataset unknownRight = Tributary.fromColumns(r).withRuntime(runtime);
    assertThatThrownBy(() -> unknownLeft.join(unknownRight, "k").takeAll())
        .isInstanceOf(JoinKeyMismatchException.class);
    assertThatThrownBy(() -> left.join(right.rename("k", "x"), "k"))
        .isInstanceOf(ColumnException.class).hasMessageContaining("right side");
    assertThatThrownBy(() -> left.join(left, "k"))
        .isInstanceOf(ColumnException.class).hasMessageContaining("both sides");
  }

  @Test
  void cancelInTheMiddleOfAJoinLeavesNoMemoryAndNoSpillFile() throws Exception {
    long tiny = 2 * Bytes.MiB;
    AtomicInteger seen = new AtomicInteger();
    AtomicReference<Disposable> subscription = new AtomicReference<>();
    CountDownLatch cancelled = new CountDownLatch(1);
    Dataset left = dataset(side(20_000, 8000, "l", 5, 200), "l", 1000, tiny)
        .mapBatches(batch -> {
          if (seen.incrementAndGet() == 10) {
            Disposable d = subscription.get();
            if (d != null) {
              d.dispose();
            }
            cancelled.countDown();
          }
          return batch;
        });
    Dataset joined = left.join(dataset(side(20_000, 8000, "r", 6, 200), "r", 1000, tiny),
        List.of("k"), JoinType.FULL_OUTER)
        .withContext(DataContext.defaults().withMemoryLimit(tiny).withSpillDirectory(spill));
    subscription.set(joined.toFlux(b -> b.rowCount()).subscribe());
    cancelled.await();
    assertThat(subscription.get().isDisposed()).isTrue();
  }
}
