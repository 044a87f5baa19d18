package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.UserFunctionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("dataset-test")
      .memoryLimit(512 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext ctx = DataContext.defaults();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private Dataset range(long n, int blocks) {
    return Tributary.range(n, blocks).withRuntime(runtime);
  }

  private static List<Long> ids(List<Map<String, Object>> rows, String column) {
    return rows.stream().map(r -> (Long) r.get(column)).toList();
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 7, 10_000})
  void rangeCountsAndReadsEveryRow(long n) {
    Dataset ds = range(n, 3);
    assertThat(ds.count()).isEqualTo(n);
    assertThat(ids(ds.takeAll(), "id")).isEqualTo(LongStream.range(0, n).boxed().toList());
  }

  @Test
  void rowTransformsMatchPlainJava() {
    List<Long> expected = LongStream.range(0, 5000)
        .filter(i -> i % 3 == 0)
        .map(i -> i * 10)
        .flatMap(i -> LongStream.of(i, -i))
        .boxed().toList();
    List<Map<String, Object>> rows = range(5000, 7)
        .filter(r -> (Long) r.get("id") % 3 == 0)
        .map(r -> Map.of("x", (Long) r.get("id") * 10))
        .flatMap(r -> List.of(Map.of("y", r.get("x")), Map.of("y", -(Long) r.get("x"))))
        .takeAll();
    assertThat(ids(rows, "y")).isEqualTo(expected);
  }

  private List<Long> shuffledIds(int batch, int buffer, long seed, List<Integer> sizes) {
    List<Long> ids = new java.util.ArrayList<>();
    range(10_000, 7).iterBatches(batch, buffer, seed).doOnNext(b -> {
      long[] id = (long[]) b.get("id");
      sizes.add(id.length);
      for (long i : id) {
        ids.add(i);
      }
    }).blockLast();
    return ids;
  }

  @Test
  void iterBatchesWithALocalShuffleMixesBlocksDeterministicallyAndLosesNothing() {
    List<Integer> sizes = new java.util.ArrayList<>();
    List<Long> ids = shuffledIds(256, 2000, 42, sizes);
    assertThat(ids).hasSize(10_000).doesNotHaveDuplicates()
        .isNotEqualTo(LongStream.range(0, 10_000).boxed().toList());
    assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(n -> n == 256);
    // The first batch already draws from more than the first block (1429 rows each).
    assertThat(ids.subList(0, 256)).anyMatch(i -> i >= 1429);
    assertThat(shuffledIds(256, 2000, 42, new java.util.ArrayList<>())).isEqualTo(ids);
    assertThat(shuffledIds(256, 2000, 43, new java.util.ArrayList<>())).isNotEqualTo(ids);
    reactor.test.StepVerifier.create(range(10_000, 7).iterBatches(100, 3000, 1).take(3))
        .expectNextCount(3).verifyComplete();
    reactor.test.StepVerifier.create(range(10_000, 7).map(r -> {
      if ((Long) r.get("id") == 5000) {
        throw new IllegalStateException("bad row");
      }
      return r;
    }).iterBatches(100, 3000, 1)).thenConsumeWhile(b -> true)
        .expectErrorMatches(e -> String.valueOf(e.getCause()).contains("bad row"))
        .verify(java.time.Duration.ofSeconds(10));
    arena.awaitEmpty(java.time.Duration.ofSeconds(5));
    assertThatThrownBy(() -> range(10, 1).iterBatches(0, 10, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void filterBatchesKeepsTheMaskedRowsAndRejectsAWrongMask() {
    Dataset ds = range(10_000, 5).filterBatches(batch -> {
      org.apache.arrow.vector.BigIntVector id =
          (org.apache.arrow.vector.BigIntVector) batch.getVector("id");
      boolean[] keep = new boolean[batch.getRowCount()];
      for (int i = 0; i < keep.length; i++) {
        keep[i] = id.get(i) % 7 == 0;
      }
      return keep;
    });
    assertThat(ids(ds.takeAll(), "id"))
        .isEqualTo(LongStream.range(0, 10_000).filter(i -> i % 7 == 0).boxed().toList());
    assertThat(range(100, 2).filterBatches(b -> new boolean[b.getRowCount()]).count()).isZero();
    assertThatThrownBy(() -> range(100, 2).filterBatches(b -> new boolean[1]).count())
        .hasMessageContaining("one flag per row");
  }

  @Test
  void mapBatchesWithColumnBatchesMatchesPlainJava() {
    Dataset ds = range(100_000, 4).mapBatches(batch -> {
      long[] id = (long[]) batch.get("id");
      double[] half = new double[id.length];
      for (int i = 0; i < id.length; i++) {
        half[i] = id[i] / 2.0;
      }
      return Map.of("id", id, "half", half);
    });
    Map<String, Object> batch = ds.takeBatch(100_000);
    double[] half = (double[]) batch.get("half");
    assertThat(half).hasSize(100_000);
    for (int i = 0; i < half.length; i++) {
      assertThat(half[i]).isEqualTo(i / 2.0);
    }
  }

  @Test
  void mapBatchesBatchSizeRebatchesAcrossBlocks() {
    List<Integer> sizes = new ArrayList<>();
    Dataset ds = range(1000, 7).mapBatches(batch -> {
      sizes.add(((long[]) batch.get("id")).length);
      return batch;
    }, MapBatchesOptions.defaults().withBatchSize(64));
    assertThat(ids(ds.takeAll(), "id")).isEqualTo(LongStream.range(0, 1000).boxed().toList());
    assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(s -> s == 64);
    assertThat(sizes.get(sizes.size() - 1)).isEqualTo(1000 % 64);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void concurrentMapBatchesKeepsOrderWhenAskedAndLosesNoRows(boolean preserveOrder) {
    Dataset ds = range(20_000, 40).withContext(ctx.withPreserveOrder(preserveOrder))
        .mapBatches(batch -> {
          long[] id = (long[]) batch.get("id");
          long[] sq = new long[id.length];
          for (int i = 0; i < id.length; i++) {
            sq[i] = id[i] * id[i];
          }
          return Map.of("sq", sq);
        }, MapBatchesOptions.defaults().withConcurrency(4));
    List<Long> got = ids(ds.takeAll(), "sq");
    List<Long> expected = LongStream.range(0, 20_000).map(i -> i * i).boxed().toList();
    if (preserveOrder) {
      assertThat(got).isEqualTo(expected);
    } else {
      assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void arrowBatchesSeeVectorsAndMayReturnNewOnes() {
    Dataset ds = range(1000, 3).mapBatchesArrow((root, allocator) -> {
      BigIntVector id = (BigIntVector) root.getVector("id");
      Float8Vector out = new Float8Vector("twice", allocator);
      out.allocateNew(root.getRowCount());
      for (int i = 0; i < root.getRowCount(); i++) {
        out.set(i, id.get(i) * 2.0);
      }
      out.setValueCount(root.getRowCount());
      return VectorSchemaRoot.of(out);
    }, MapBatchesOptions.defaults().withZeroCopyBatch(true));
    List<Map<String, Object>> rows = ds.takeAll();
    assertThat(rows).hasSize(1000);
    assertThat(rows.get(999).get("twice")).isEqualTo(1998.0);
  }

  @Test
  void columnOperationsReshapeRows() {
    Dataset ds = range(10, 2)
        .withColumn("double", r -> (Long) r.get("id") * 2)
        .withColumn("tag", r -> "t" + r.get("id"))
        .rename("id", "key")
        .drop("double")
        .select("tag", "key");
    assertThat(ds.schema().getFields()).extracting(f -> f.getName()).containsExactly("tag", "key");
    List<Map<String, Object>> rows = ds.takeAll();
    assertThat(rows).hasSize(10);
    assertThat(rows.get(3)).containsExactly(Map.entry("tag", "t3"), Map.entry("key", 3L));
    Dataset known = range(10, 2).rename("id", "key").select("key");
    assertThat(known.schema().getFields()).extracting(f -> f.getName()).containsExactly("key");
    assertThat(known.stats()).as("schema known from the plan: nothing ran").isNull();
  }

  @Test
  void limitStopsUpstreamWork() {
    AtomicInteger calls = new AtomicInteger();
    Dataset ds = range(10_000_000, 200).mapBatches(batch -> {
      calls.incrementAndGet();
      return batch;
    });
    List<Map<String, Object>> five = ds.take(5);
    assertThat(ids(five, "id")).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(calls.get()).isLessThanOrEqualTo(3);
    assertThat(ds.stats().operator("Range").blocksOut()).isLessThanOrEqualTo(4);
  }

  @Test
  void buildingAPlanRunsNoUserFunction() {
    AtomicInteger calls = new AtomicInteger();
    Dataset ds = range(1000, 4)
        .map(r -> {
          calls.incrementAndGet();
          return r;
        })
        .filter(r -> calls.incrementAndGet() > 0)
        .mapBatches(b -> {
          calls.incrementAndGet();
          return b;
        });
    ds.explain();
    assertThat(calls.get()).isZero();
    assertThat(ds.stats()).isNull();
  }

  @Test
  void adjacentOperatorsFuseAndResultsMatchWithoutFusion() {
    Dataset ds = range(3000, 5)
        .map(r -> Map.of("id", (Long) r.get("id") + 1))
        .filter(r -> (Long) r.get("id") % 2 == 0)
        .mapBatches(b -> b, MapBatchesOptions.defaults().withConcurrency(2))
        .map(r -> Map.of("v", (Long) r.get("id") * 3));
    String plan = ds.explain();
    assertThat(plan).contains("MapBlocks Map->Filter  (fused 2 operators)");
    assertThat(plan).contains("MapBlocks MapBatches[concurrency=2]->Map  (fused 2 operators)");
    List<Map<String, Object>> fused = ds.takeAll();
    assertThat(ds.stats().operators()).extracting(o -> o.name()).containsExactly("Range[3000]",
        "Map->Filter", "MapBatches[concurrency=2]->Map", "Output");
    Dataset unfused = ds.withContext(ctx.withOperatorFusion(false));
    assertThat(unfused.explain()).doesNotContain("fused");
    assertThat(unfused.takeAll()).isEqualTo(fused);
    assertThat(unfused.stats().operators()).hasSize(6);
  }

  @Test
  void unionConcatenatesAndChecksSchemas() {
    Dataset ds = range(5, 1).union(range(3, 1));
    assertThat(ids(ds.takeAll(), "id")).containsExactly(0L, 1L, 2L, 3L, 4L, 0L, 1L, 2L);
    assertThatThrownBy(() -> range(5, 1).union(range(3, 1).rename("id", "other")))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("union");
  }

  @Test
  void aThrowingUserFunctionIsWrappedWithOperatorAndBlockAndLeaksNothing() {
    Dataset ds = range(1000, 10).map(r -> {
      if ((Long) r.get("id") == 555) {
        throw new IllegalStateException("boom");
      }
      return r;
    });
    assertThatThrownBy(ds::takeAll)
        .isInstanceOfSatisfying(UserFunctionException.class, e -> {
          assertThat(e.operator()).isEqualTo("Map");
          assertThat(e.blockIndex()).isEqualTo(5);
        })
        .hasRootCauseMessage("boom");
  }

  @Test
  void unknownColumnsAreTypedErrors() {
    assertThatThrownBy(() -> range(10, 1).select("nope").schema())
        .isInstanceOf(ColumnException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining("[id]");
    assertThatThrownBy(() -> range(10, 1).map(r -> r).select("nope").takeAll())
        .hasRootCauseInstanceOf(ColumnException.class);
  }

  @Test
  void batchOfUnequalColumnsIsATypedError() {
    Dataset ds = range(10, 1).mapBatches(b -> Map.of("a", new long[3], "b", new long[4]));
    assertThatThrownBy(ds::takeAll)
        .isInstanceOf(UserFunctionException.class)
        .hasRootCauseInstanceOf(ColumnException.class);
  }

  @Test
  void rebatchCutsBlocksToTheGivenRowCount() {
    Dataset ds = range(1000, 3).rebatch(100).mapBatches(b -> b);
    assertThat(ids(ds.takeAll(), "id")).isEqualTo(LongStream.range(0, 1000).boxed().toList());
    assertThat(ds.stats().operator("MapBatches").blocksIn()).isEqualTo(10);
  }

  @Test
  void iterBatchesYieldsExactBatches() {
    List<Integer> sizes = range(1000, 3).iterBatches(128)
        .map(b -> ((long[]) b.get("id")).length).collectList().block();
    assertThat(sizes).hasSize(8);
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
    assertThat(sizes.get(7)).isEqualTo(1000 - 7 * 128);
  }

  @Test
  void materializeHoldsBlocksAndRereadsThem() {
    AtomicInteger calls = new AtomicInteger();
    try (MaterializedDataset m = range(1000, 4).map(r -> {
      calls.incrementAndGet();
      return r;
    }).materialize()) {
      assertThat(calls.get()).isEqualTo(1000);
      assertThat(m.count()).isEqualTo(1000);
      assertThat(ids(m.takeAll(), "id")).hasSize(1000);
      assertThat(ids(m.filter(r -> (Long) r.get("id") < 10).takeAll(), "id")).hasSize(10);
      assertThat(calls.get()).isEqualTo(1000);
      assertThat(m.sizeBytes()).isPositive();
    }
  }

  @Test
  void fromItemsColumnsAndArrowAgreeWithTheirInput() {
    List<Map<String, Object>> items = List.of(
        Map.of("a", 1L, "b", "x"), Map.of("a", 2L, "b", "y"));
    assertThat(Tributary.fromItems(items).withRuntime(runtime).takeAll()).isEqualTo(items);
    Dataset cols = Tributary.fromColumns(Map.of("v", new double[] {1.5, 2.5})).withRuntime(runtime);
    assertThat(cols.takeAll()).containsExactly(Map.of("v", 1.5), Map.of("v", 2.5));
    try (Arena other = Arena.create("user", Bytes.MiB);
        var account = other.openAccount("user");
        Block block = BlockBuilder.in(account).column("z", new int[] {7, 8, 9}).build()) {
      Dataset arrow = Tributary.fromArrow(block.root()).withRuntime(runtime);
      assertThat(arrow.takeAll()).containsExactly(Map.of("z", 7), Map.of("z", 8), Map.of("z", 9));
      assertThat(arrow.count()).isEqualTo(3);
    }
  }

  @Test
  void statsReportEveryOperator() {
    Dataset ds = range(10_000, 10).filter(r -> (Long) r.get("id") < 5000);
    assertThat(ds.count()).isEqualTo(5000);
    ExecutionStats stats = ds.stats();
    assertThat(stats.operator("Range").rowsOut()).isEqualTo(10_000);
    assertThat(stats.operator("Filter").rowsIn()).isEqualTo(10_000);
    assertThat(stats.operator("Filter").rowsOut()).isEqualTo(5000);
    assertThat(stats.operator("Filter").userCpuNanos()).isPositive();
    assertThat(stats.toString()).contains("Range[10000]").contains("Filter").contains("total");
  }

  @Test
  void statsReportTheExecutionsOwnPeakNotAnEarlierRunsOrTheArenas() {
    Dataset big = range(2_000_000, 2);
    assertThat(big.count()).isPositive();
    big.takeBatch(2_000_000);
    long bigPeak = big.stats().arenaPeakBytes();
    assertThat(bigPeak).isGreaterThanOrEqualTo(2 * 8_000_000L);
    Dataset small = range(1000, 1);
    small.takeAll();
    long smallPeak = small.stats().arenaPeakBytes();
    assertThat(smallPeak).isPositive().isLessThan(bigPeak / 100);
    assertThat(arena.peakBytes()).isGreaterThanOrEqualTo(bigPeak);
    assertThat(small.stats().toString()).contains("arena peak");
  }

  @Test
  void showPrintsAnAlignedTable() {
    String table = Table.format(range(3, 1).withColumn("name", r -> "n" + r.get("id")).take(3));
    assertThat(table).isEqualTo(
        "id | name\n-- | ----\n0  | n0  \n1  | n1  \n2  | n2  \n(3 rows)\n");
  }

  @Test
  void emptyDatasetsBehave() {
    Dataset empty = range(0, 1).map(r -> r);
    assertThat(empty.takeAll()).isEmpty();
    assertThat(empty.count()).isZero();
    assertThat(empty.takeBatch(10)).isEmpty();
    assertThat(range(100, 2).filter(r -> false).takeAll()).isEmpty();
    assertThat(ids(range(10, 2).limit(0).takeAll(), "id")).isEmpty();
  }

  @Test
  void millionRowBlocks() {
    long n = 2_000_000;
    Dataset ds = range(n, 2).mapBatches(b -> {
      long[] id = (long[]) b.get("id");
      long[] out = new long[id.length];
      for (int i = 0; i < id.length; i++) {
        out[i] = id[i] % 7;
      }
      return Map.of("m", out);
    });
    long sum = ds.iterBatches(100_000).map(b -> LongStream.of((long[]) b.get("m")).sum())
        .reduce(0L, Long::sum).block();
    assertThat(sum).isEqualTo(LongStream.range(0, n).map(i -> i % 7).sum());
    assertThat(ds.stats().operator("MapBatches").blocksIn()).isEqualTo(2);
  }

  @Test
  void itemsOfMixedTypesInAColumnAreATypedError() {
    Dataset ds = range(4, 1).map(r -> Map.of("v", (Long) r.get("id") == 2 ? (Object) "two"
        : (Object) r.get("id")));
    assertThatThrownBy(ds::takeAll)
        .hasRootCauseInstanceOf(ColumnException.class)
        .rootCause().hasMessageContaining("row 2");
    assertThat(ids(range(3, 1).takeAll(), "id").stream().map(String::valueOf)
        .collect(Collectors.joining(","))).isEqualTo("0,1,2");
  }
}
