package dev.tributary.operators.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A join on one integer key (the unboxed build index), or on string and several keys (indexed
 * by their normalised bytes), gives the rows a nested loop gives, in the same order: each probe
 * row's matches in build-row order, duplicates and extremes included, null keys never matching.
 */
class BuildTableTest {
  private final Arena arena = Arena.create("join", 256 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Account probe = arena.openAccount("probe");
  private final Account build = arena.openAccount("build");
  private final Scheduler io = Schedulers.newBoundedElastic(2, 1000, "join-io");

  @TempDir Path spillDir;

  @AfterEach
  void noLeaks() {
    io.disposeGracefully().block(Duration.ofSeconds(30));
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private Block side(List<Long> keys, String value, long first) {
    long[] values = new long[keys.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = first + i;
    }
    return BlockBuilder.in(source)
        .column(new Field("id", FieldType.nullable(new ArrowType.Int(64, true)), null), keys)
        .column(value, values).build();
  }

  private List<List<Object>> join(JoinType type, List<Long> left, List<Long> right) {
    List<List<Object>> rows = new ArrayList<>();
    HashJoin.of(List.of("id"), type, probe, build, io, spillDir, new OperatorStats("join"))
        .apply(Flux.just(side(left, "a", 0)), Flux.just(side(right, "b", 100)))
        .doOnNext(b -> {
          try (b) {
            for (int i = 0; i < b.rowCount(); i++) {
              List<Object> row = new ArrayList<>();
              for (FieldVector c : b.root().getFieldVectors()) {
                row.add(JavaValues.get(c, i));
              }
              rows.add(row);
            }
          }
        })
        .blockLast(Duration.ofSeconds(60));
    return rows;
  }

  /** Per left row in order, its matches in right-row order: (a, b) of an inner join. */
  private static List<List<Object>> nestedLoop(List<Long> left, List<Long> right) {
    List<List<Object>> out = new ArrayList<>();
    for (int i = 0; i < left.size(); i++) {
      for (int j = 0; j < right.size(); j++) {
        if (left.get(i) != null && left.get(i).equals(right.get(j))) {
          out.add(List.of((long) i, 100L + j));
        }
      }
    }
    return out;
  }

  private static List<List<Object>> valuesOnly(List<List<Object>> rows) {
    return rows.stream().map(r -> r.subList(r.size() - 2, r.size())).toList();
  }

  @Test
  void duplicatesNullsAndExtremesMatchAsANestedLoopDoes() {
    List<Long> left = Arrays.asList(Long.MIN_VALUE, null, 5L, Long.MAX_VALUE, 5L, 9L, -1L);
    List<Long> right = Arrays.asList(5L, Long.MAX_VALUE, null, 5L, Long.MIN_VALUE, 5L, -1L);
    List<List<Object>> rows = join(JoinType.INNER, left, right);
    assertThat(valuesOnly(rows)).containsExactlyElementsOf(nestedLoop(left, right));
    assertThat(rows).hasSize(1 + 3 + 1 + 3 + 1);
  }

  @Test
  void manyKeysWithCollisionsMatchAsANestedLoopDoes() {
    SplittableRandom random = new SplittableRandom(3);
    List<Long> left = new ArrayList<>();
    List<Long> right = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      left.add(random.nextInt(50) == 0 ? null : random.nextLong(2000) << 32);
    }
    for (int i = 0; i < 1500; i++) {
      right.add(random.nextInt(50) == 0 ? null : random.nextLong(2000) << 32);
    }
    assertThat(valuesOnly(join(JoinType.INNER, left, right)))
        .containsExactlyElementsOf(nestedLoop(left, right));
  }

  /** Rows (s utf8, n int32, value first + row) of one side of a join on (s, n). */
  private Block stringSide(List<String> s, List<Integer> n, String value, long first) {
    long[] values = new long[s.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = first + i;
    }
    return BlockBuilder.in(source)
        .column(new Field("s", FieldType.nullable(ArrowType.Utf8.INSTANCE), null), s)
        .column(new Field("n", FieldType.nullable(new ArrowType.Int(32, true)), null), n)
        .column(value, values).build();
  }

  private static String key(SplittableRandom random) {
    return random.nextInt(40) == 0 ? null : random.nextInt(3) == 0 ? "" : "k" + random.nextInt(60);
  }

  @Test
  void stringAndTwoColumnKeysMatchAsANestedLoopDoes() {
    SplittableRandom random = new SplittableRandom(5);
    List<String> ls = new ArrayList<>();
    List<Integer> ln = new ArrayList<>();
    List<String> rs = new ArrayList<>();
    List<Integer> rn = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      ls.add(key(random));
      ln.add(random.nextInt(40) == 0 ? null : random.nextInt(4));
    }
    for (int i = 0; i < 700; i++) {
      rs.add(key(random));
      rn.add(random.nextInt(40) == 0 ? null : random.nextInt(4));
    }
    List<List<Object>> expected = new ArrayList<>();
    for (int i = 0; i < ls.size(); i++) {
      for (int j = 0; j < rs.size(); j++) {
        if (ls.get(i) != null && ln.get(i) != null && ls.get(i).equals(rs.get(j))
            && ln.get(i).equals(rn.get(j))) {
          expected.add(List.of((long) i, 100L + j));
        }
      }
    }
    List<List<Object>> rows = new ArrayList<>();
    HashJoin.of(List.of("s", "n"), JoinType.INNER, probe, build, io, spillDir,
            new OperatorStats("join"))
        .apply(Flux.just(stringSide(ls, ln, "a", 0)), Flux.just(stringSide(rs, rn, "b", 100)))
        .doOnNext(b -> {
          try (b) {
            for (int i = 0; i < b.rowCount(); i++) {
              rows.add(List.of(JavaValues.get(b.vector("a"), i),
                  JavaValues.get(b.vector("b"), i)));
            }
          }
        })
        .blockLast(Duration.ofSeconds(60));
    assertThat(expected).isNotEmpty();
    assertThat(rows).containsExactlyElementsOf(expected);
  }

  @Test
  void aBuildSideLargeEnoughForItsFilterMatchesAsAMapDoes() {
    SplittableRandom random = new SplittableRandom(11);
    List<Long> left = new ArrayList<>();
    List<Long> right = new ArrayList<>();
    for (int i = 0; i < BuildTable.FILTER_ROWS + 5000; i++) {
      right.add(random.nextInt(100) == 0 ? null : random.nextLong(1_000_000));
    }
    for (int i = 0; i < 100_000; i++) {
      left.add(random.nextInt(100) == 0 ? null : random.nextLong(1_000_000));
    }
    java.util.Map<Long, List<Integer>> rowsOf = new java.util.HashMap<>();
    for (int j = 0; j < right.size(); j++) {
      if (right.get(j) != null) {
        rowsOf.computeIfAbsent(right.get(j), k -> new ArrayList<>()).add(j);
      }
    }
    List<List<Object>> expected = new ArrayList<>();
    for (int i = 0; i < left.size(); i++) {
      for (int j : rowsOf.getOrDefault(left.get(i), List.of())) {
        expected.add(List.of((long) i, 100L + j));
      }
    }
    assertThat(expected).hasSizeGreaterThan(1000);
    assertThat(valuesOnly(join(JoinType.INNER, left, right)))
        .containsExactlyElementsOf(expected);
  }

  @Test
  void semiAndAntiSplitTheLeftRowsByWhetherTheyMatch() {
    List<Long> left = Arrays.asList(1L, null, 2L, 3L, 2L);
    List<Long> right = Arrays.asList(2L, 2L, null, 4L);
    assertThat(join(JoinType.LEFT_SEMI, left, right)).extracting(r -> r.get(1))
        .containsExactly(2L, 4L);
    assertThat(join(JoinType.LEFT_ANTI, left, right)).extracting(r -> r.get(1))
        .containsExactly(0L, 1L, 3L);
  }

  @Test
  void theIndexOnTheHeapIsChargedToTheBuildSideUntilTheTableCloses() {
    List<Long> keys = new ArrayList<>();
    for (long k = 0; k < 100_000; k++) {
      keys.add(k);
    }
    Block rows = side(keys, "b", 0);
    long rowBytes = rows.sizeBytes();
    Block held = rows.transferTo(build);
    try (BuildTable table = new BuildTable(List.of(held), List.of("id"), build)) {
      // A 100,000-key index: at least 16 bytes a key in its slots, 4 a row in its chains.
      assertThat(build.heldBytes() - rowBytes).isGreaterThanOrEqualTo(20L * keys.size());
      assertThat(table.next(0)).isEqualTo(-1);
    }
    assertThat(build.heldBytes()).isZero();
  }
}
