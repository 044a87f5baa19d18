package dev.tributary.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorStats;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Grouping by one integer-like key (the unboxed table) or by keys as normalised bytes (strings,
 * booleans, decimals, several columns): every key value, null and the extremes included, is its
 * own group, in first-seen order, with the same results as a plain Java map;
 * and a table of many groups spills and merges back to the same results, its partials carrying
 * only the states its aggregations need.
 */
class GroupTableKeysTest {
  private final Arena arena = Arena.create("keys", 512 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Scheduler io = Schedulers.newBoundedElastic(2, 1000, "keys-io");

  @TempDir Path spillDir;

  @AfterEach
  void noLeaksAndNoSpillFiles() throws Exception {
    io.disposeGracefully().block(Duration.ofSeconds(30));
    arena.awaitEmpty(Duration.ofSeconds(30));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
    try (Stream<Path> left = Files.list(spillDir)) {
      assertThat(left).isEmpty();
    }
  }

  /** Key, then sum(x), count(), max(x) per output row, in output order. */
  private List<List<Object>> aggregate(Account account, OperatorStats stats, Block... blocks) {
    List<List<Object>> rows = new ArrayList<>();
    Flux.fromArray(blocks)
        .transform(HashAggregate.of(List.of("k"),
            List.of(Aggregate.sum("x"), Aggregate.count(), Aggregate.max("x")), account, io)
            .spillTo(spillDir).stats(stats))
        .doOnNext(b -> {
          try (b) {
            List<FieldVector> v = b.root().getFieldVectors();
            for (int i = 0; i < b.rowCount(); i++) {
              List<Object> row = new ArrayList<>();
              for (FieldVector c : v) {
                row.add(JavaValues.get(c, i));
              }
              rows.add(row);
            }
          }
        })
        .blockLast(Duration.ofSeconds(60));
    return rows;
  }

  private Block block(Field key, List<?> keys, long[] x) {
    return BlockBuilder.in(source).column(key, keys).column("x", x).build();
  }

  private static Field nullable(ArrowType type) {
    return new Field("k", FieldType.nullable(type), null);
  }

  @Test
  void nullAndExtremeInt64KeysAreGroupsInFirstSeenOrder() {
    Account account = arena.openAccount("aggregate");
    List<Long> keys = Arrays.asList(Long.MAX_VALUE, null, Long.MIN_VALUE, 0L, null,
        Long.MAX_VALUE, -1L, Long.MIN_VALUE, 0L);
    long[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    List<List<Object>> out = aggregate(account, new OperatorStats("agg"),
        block(nullable(new ArrowType.Int(64, true)), keys, x));
    assertThat(out).containsExactly(
        List.of(Long.MAX_VALUE, 7L, 2L, 6L),
        Arrays.asList(null, 7L, 2L, 5L),
        List.of(Long.MIN_VALUE, 11L, 2L, 8L),
        List.of(0L, 13L, 2L, 9L),
        List.of(-1L, 7L, 1L, 7L));
    account.close();
  }

  @Test
  void narrowIntegerAndDateKeysKeepTheirTypeAndValues() {
    Account account = arena.openAccount("aggregate");
    List<Byte> bytes = Arrays.asList((byte) -128, (byte) 127, null, (byte) -128, (byte) -1);
    long[] x = {1, 2, 3, 4, 5};
    assertThat(aggregate(account, new OperatorStats("agg"),
        block(nullable(new ArrowType.Int(8, true)), bytes, x))).containsExactly(
            List.of((byte) -128, 5L, 2L, 4L),
            List.of((byte) 127, 2L, 1L, 2L),
            Arrays.asList(null, 3L, 1L, 3L),
            List.of((byte) -1, 5L, 1L, 5L));
    List<LocalDate> dates = Arrays.asList(LocalDate.of(1970, 1, 1), null,
        LocalDate.of(1969, 12, 31), LocalDate.of(1970, 1, 1), null);
    assertThat(aggregate(account, new OperatorStats("agg"),
        block(nullable(new ArrowType.Date(DateUnit.DAY)), dates, x))).containsExactly(
            List.of(LocalDate.of(1970, 1, 1), 5L, 2L, 4L),
            Arrays.asList(null, 7L, 2L, 5L),
            List.of(LocalDate.of(1969, 12, 31), 3L, 1L, 3L));
    account.close();
  }

  @Test
  void stringBooleanAndDecimalKeysGroupByTheirValuesInFirstSeenOrder() {
    Account account = arena.openAccount("aggregate");
    List<String> s = Arrays.asList("a", "", null, "é", "a", "a", null, "", "é");
    List<Boolean> b = Arrays.asList(true, false, null, true, true, false, null, false, true);
    List<BigDecimal> d = Arrays.asList(new BigDecimal("1.50"), null, new BigDecimal("-2.25"),
        new BigDecimal("1.50"), new BigDecimal("1.50"), new BigDecimal("1.50"),
        new BigDecimal("-2.25"), null, new BigDecimal("1.50"));
    long[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Block block = BlockBuilder.in(source)
        .column(new Field("s", FieldType.nullable(ArrowType.Utf8.INSTANCE), null), s)
        .column(new Field("b", FieldType.nullable(ArrowType.Bool.INSTANCE), null), b)
        .column(new Field("d", FieldType.nullable(new ArrowType.Decimal(9, 2, 128)), null), d)
        .column("x", x).build();
    List<List<Object>> rows = new ArrayList<>();
    Flux.just(block)
        .transform(HashAggregate.of(List.of("s", "b", "d"),
            List.of(Aggregate.sum("x"), Aggregate.count()), account, io).spillTo(spillDir))
        .doOnNext(out -> {
          try (out) {
            List<FieldVector> v = out.root().getFieldVectors();
            assertThat(v.get(0).getField().getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
            assertThat(v.get(2).getField().getType()).isEqualTo(new ArrowType.Decimal(9, 2, 128));
            for (int i = 0; i < out.rowCount(); i++) {
              List<Object> row = new ArrayList<>();
              for (FieldVector c : v) {
                Object value = JavaValues.get(c, i);
                row.add(value instanceof org.apache.arrow.vector.util.Text t ? t.toString()
                    : value);
              }
              rows.add(row);
            }
          }
        })
        .blockLast(Duration.ofSeconds(60));
    assertThat(rows).containsExactly(
        List.of("a", true, new BigDecimal("1.50"), 6L, 2L),
        Arrays.asList("", false, null, 10L, 2L),
        Arrays.asList(null, null, new BigDecimal("-2.25"), 10L, 2L),
        List.of("é", true, new BigDecimal("1.50"), 13L, 2L),
        List.of("a", false, new BigDecimal("1.50"), 6L, 1L));
    account.close();
  }

  /** unique(i) per key k (none: global) over the blocks, each unique list in output order. */
  private List<Object> unique(List<String> keys, Block... blocks) {
    Account account = arena.openAccount("unique");
    List<Object> out = new ArrayList<>();
    Flux.fromArray(blocks)
        .transform(HashAggregate.of(keys, List.of(Aggregate.unique("i")), account, io)
            .spillTo(spillDir))
        .doOnNext(b -> {
          try (b) {
            for (int r = 0; r < b.rowCount(); r++) {
              out.add(JavaValues.get(b.vector("unique(i)"), r));
            }
          }
        })
        .blockLast(Duration.ofSeconds(60));
    account.close();
    return out;
  }

  private Block ints(long k, Integer... i) {
    long[] keys = new long[i.length];
    Arrays.fill(keys, k);
    return BlockBuilder.in(source).column("k", keys)
        .column(new Field("i", FieldType.nullable(new ArrowType.Int(32, true)), null),
            Arrays.asList(i)).build();
  }

  @Test
  void uniqueIntegersAreCountedUnboxedWhileThereIsOneGroupAndBoxedAfter() {
    assertThat(unique(List.of(), ints(0, 5, null, -3, 5), ints(0, Integer.MIN_VALUE, -3, 7)))
        .containsExactly(List.of(Integer.MIN_VALUE, -3, 5, 7));
    // The second block brings a second group: the first group's values are boxed then.
    assertThat(unique(List.of("k"), ints(1, 4, 4, 2), ints(2, 9, null), ints(1, 2, 1)))
        .containsExactly(List.of(1, 2, 4), List.of(9));
  }

  @Test
  void manyGroupsSpillAndMergeToTheSameResults() {
    int blocks = 20;
    int rows = 20_000;
    SplittableRandom random = new SplittableRandom(7);
    Map<Long, long[]> reference = new HashMap<>(); // key -> sum, count, max
    Block[] input = new Block[blocks];
    Block[] again = new Block[blocks];
    for (int b = 0; b < blocks; b++) {
      List<Long> keys = new ArrayList<>();
      long[] x = new long[rows];
      for (int i = 0; i < rows; i++) {
        Long key = random.nextInt(100) == 0 ? null : random.nextLong(100_000) * 7919;
        keys.add(key);
        x[i] = random.nextLong(1000) - 500;
        long[] s = reference.computeIfAbsent(key, k -> new long[] {0, 0, Long.MIN_VALUE});
        s[0] += x[i];
        s[1]++;
        s[2] = Math.max(s[2], x[i]);
      }
      input[b] = block(nullable(new ArrowType.Int(64, true)), keys, x);
      again[b] = block(nullable(new ArrowType.Int(64, true)), keys, x);
    }
    // A budget of a small fraction of the table: it spills many times.
    Account small = arena.openAccount("small", 2 * Bytes.MiB, 256 * Bytes.MiB);
    OperatorStats spilled = new OperatorStats("spilled");
    List<List<Object>> tiny = aggregate(small, spilled, input);
    Account big = arena.openAccount("big");
    OperatorStats inMemory = new OperatorStats("in memory");
    List<List<Object>> large = aggregate(big, inMemory, again);
    assertThat(spilled.snapshot().spills().bytesSpilled()).isPositive();
    assertThat(inMemory.snapshot().spills().bytesSpilled()).isZero();
    Map<Long, long[]> got = new HashMap<>();
    for (List<Object> row : tiny) {
      assertThat(got.put((Long) row.get(0),
          new long[] {(Long) row.get(1), (Long) row.get(2), (Long) row.get(3)})).isNull();
    }
    assertThat(got).hasSameSizeAs(reference);
    reference.forEach((k, v) -> assertThat(got.get(k)).as("key %s", k).containsExactly(v));
    // As sets: AssertJ's any-order comparison is quadratic in the rows.
    assertThat(large).hasSameSizeAs(tiny);
    assertThat(new HashSet<>(large)).isEqualTo(new HashSet<>(tiny));
    small.close();
    big.close();
  }

  @Test
  void aMaxKeepsNoSumAndAMeanNoExtremes() {
    Schema schema = new Schema(List.of(nullable(new ArrowType.Int(64, true)),
        new Field("x", FieldType.nullable(new ArrowType.Int(64, true)), null)));
    assertThat(Aggregate.max("x").accumulator(schema).stateColumns()).isEqualTo(3);
    assertThat(Aggregate.mean("x").accumulator(schema).stateColumns()).isEqualTo(3);
    assertThat(Aggregate.absMax("x").accumulator(schema).stateColumns()).isEqualTo(4);
    assertThat(Aggregate.std("x", 1).accumulator(schema).stateColumns()).isEqualTo(4);
  }
}
