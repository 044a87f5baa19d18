package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code iterBatches(options)} and {@code streamingSplit}: the training feed. */
class TrainingFeedTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("feed-test")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private Dataset range(long n, int blocks) {
    return Tributary.range(n, blocks).withRuntime(runtime);
  }

  private static List<Long> drain(BatchIterator it, List<Integer> sizes) {
    List<Long> ids = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        Batch b = it.next();
        sizes.add(b.rowCount());
        for (long v : (long[]) b.column("id")) {
          ids.add(v);
        }
      }
    }
    return ids;
  }

  @Test
  void batchesHaveTheBatchSizeAndTheShortLastOneIsDroppedOnRequest() {
    List<Integer> kept = new ArrayList<>();
    List<Long> ids = drain(range(1_000, 7).iterBatches(
        IterBatchesOptions.defaults().withBatchSize(64)), kept);
    assertThat(ids).containsExactlyElementsOf(LongStream.range(0, 1_000).boxed().toList());
    assertThat(kept).hasSize(16).last().isEqualTo(1_000 - 15 * 64);

    List<Integer> dropped = new ArrayList<>();
    List<Long> full = drain(range(1_000, 7).iterBatches(
        IterBatchesOptions.defaults().withBatchSize(64).withDropLast(true)
            .withPrefetchBatches(4)), dropped);
    assertThat(dropped).hasSize(15).allMatch(n -> n == 64);
    assertThat(full).containsExactlyElementsOf(LongStream.range(0, 960).boxed().toList());
  }

  @Test
  void everyBatchIsShownInOneRootAndABatchKeptPastNextFails() {
    List<Long> ids = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Set<org.apache.arrow.vector.VectorSchemaRoot> roots = new HashSet<>();
    Batch first = null;
    // 7 blocks of 142-143 rows cut into batches of 64: some inside a block, some across two
    Dataset named = range(1_000, 7).map(r -> Map.<String, Object>of("id", r.get("id"),
        "name", "n" + r.get("id")));
    try (BatchIterator it = named.iterBatches(
        IterBatchesOptions.defaults().withBatchSize(64).withPrefetchBatches(3))) {
      while (it.hasNext()) {
        Batch b = it.next();
        first = first == null ? b : first;
        org.apache.arrow.vector.BigIntVector id =
            (org.apache.arrow.vector.BigIntVector) b.root().getVector("id");
        assertThat(b.root().getRowCount()).isEqualTo(b.rowCount());
        org.apache.arrow.vector.VarCharVector name =
            (org.apache.arrow.vector.VarCharVector) b.root().getVector("name");
        for (int i = 0; i < b.rowCount(); i++) {
          ids.add(id.get(i));
          names.add(name.getObject(i).toString());
        }
        roots.add(b.root());
      }
    }
    assertThat(ids).containsExactlyElementsOf(LongStream.range(0, 1_000).boxed().toList());
    assertThat(names).containsExactlyElementsOf(
        LongStream.range(0, 1_000).mapToObj(i -> "n" + i).toList());
    assertThat(roots).hasSize(1);
    Batch stale = first;
    assertThatThrownBy(stale::root).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("valid until");
    assertThatThrownBy(() -> stale.column("id")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(stale::rowCount).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rowsOffAByteBoundaryShowTheirValuesAndNullsInTheRoot() {
    // 7 blocks of 142-143 rows in batches of 64: most batches start off a byte boundary
    Dataset sparse = range(1_000, 7).map(r -> {
      long id = (Long) r.get("id");
      Map<String, Object> row = new java.util.HashMap<>(r);
      row.put("y", id % 7 == 3 ? null : id * 0.5);
      return row;
    });
    List<Long> ids = new ArrayList<>();
    try (BatchIterator it = sparse.iterBatches(
        IterBatchesOptions.defaults().withBatchSize(64).withPrefetchBatches(2))) {
      while (it.hasNext()) {
        org.apache.arrow.vector.VectorSchemaRoot root = it.next().root();
        org.apache.arrow.vector.BigIntVector id =
            (org.apache.arrow.vector.BigIntVector) root.getVector("id");
        org.apache.arrow.vector.Float8Vector y =
            (org.apache.arrow.vector.Float8Vector) root.getVector("y");
        for (int i = 0; i < root.getRowCount(); i++) {
          long v = id.get(i);
          ids.add(v);
          assertThat(y.isNull(i)).as("y of %d", v).isEqualTo(v % 7 == 3);
          if (v % 7 != 3) {
            assertThat(y.get(i)).isEqualTo(v * 0.5);
          }
        }
      }
    }
    assertThat(ids).containsExactlyElementsOf(LongStream.range(0, 1_000).boxed().toList());
  }

  @Test
  void aConsumerThatTakesNothingHoldsAnUnequalSplitBackByNoMoreThanItsQueue() {
    int prefetch = 2;
    List<BatchIterator> split = range(20_000, 20).streamingSplit(2, false,
        IterBatchesOptions.defaults().withBatchSize(100).withPrefetchBatches(prefetch));
    // The fast consumer reads to the end before the idle one takes anything: it must not wait.
    List<Long> fast = drain(split.get(0), new ArrayList<>());
    List<Long> idle = drain(split.get(1), new ArrayList<>());
    assertThat(idle).hasSizeLessThanOrEqualTo(prefetch * 100);
    List<Long> all = new ArrayList<>(fast);
    all.addAll(idle);
    assertThat(all).containsExactlyInAnyOrderElementsOf(
        LongStream.range(0, 20_000).boxed().toList());
  }

  @Test
  void aBatchClosedEarlyGivesItsRowsBackAndTheNextStillComes() {
    try (BatchIterator it = range(1_000, 2).iterBatches(
        IterBatchesOptions.defaults().withBatchSize(100))) {
      Batch b = it.next();
      assertThat((long[]) b.column("id")).startsWith(0L, 1L);
      b.close();
      b.close();
      assertThatThrownBy(b::root).isInstanceOf(IllegalStateException.class);
      assertThat((long[]) it.next().column("id")).startsWith(100L, 101L);
    }
  }

  @Test
  void theSameSeedShufflesTheSameWayAndEveryRowComesOnce() {
    IterBatchesOptions shuffled = IterBatchesOptions.defaults().withBatchSize(50)
        .withLocalShuffle(300, 42);
    List<Long> first = drain(range(2_000, 10).iterBatches(shuffled), new ArrayList<>());
    List<Long> again = drain(range(2_000, 10).iterBatches(shuffled), new ArrayList<>());
    List<Long> other = drain(range(2_000, 10).iterBatches(shuffled.withLocalShuffle(300, 7)),
        new ArrayList<>());

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(first).isNotEqualTo(LongStream.range(0, 2_000).boxed().toList())
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 2_000).boxed().toList());
  }

  @Test
  void aFixedSizeListColumnIsADirectTensorWithItsShape() {
    float[][] pixels = new float[10][];
    for (int i = 0; i < 10; i++) {
      pixels[i] = new float[] {i, i + 0.5f, -i};
    }
    Dataset ds = Tributary.fromColumns(Map.of("x", pixels, "id",
        LongStream.range(0, 10).toArray())).withRuntime(runtime);
    try (BatchIterator it = ds.iterBatches(IterBatchesOptions.defaults().withBatchSize(4))) {
      Batch b = it.next();
      Tensor t = b.tensor("x");
      assertThat(t.shape()).containsExactly(4, 3);
      assertThat(t.bytes().isDirect()).isTrue();
      FloatBuffer f = t.floats();
      float[] values = new float[12];
      f.get(values);
      assertThat(values).containsExactly(0, 0.5f, 0, 1, 1.5f, -1, 2, 2.5f, -2, 3, 3.5f, -3);
      assertThatThrownBy(t::doubles).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> b.tensor("id")).isInstanceOf(ColumnException.class)
          .hasMessageContaining("no tensor form");
      Tensor second = it.next().tensor("x");
      float[] row4 = new float[3];
      second.floats().get(row4);
      assertThat(row4).containsExactly(4, 4.5f, -4);
    }
  }

  @Test
  void iteratorStatsSplitWaitingFromUserTime() {
    BatchIterator it = range(10_000, 10).iterBatches(
        IterBatchesOptions.defaults().withBatchSize(1_000));
    long sum = 0;
    while (it.hasNext()) {
      for (long v : (long[]) it.next().column("id")) {
        sum += v;
      }
    }
    IteratorStats stats = it.stats();
    assertThat(sum).isEqualTo(49_995_000L);
    assertThat(stats.batches()).isEqualTo(10);
    assertThat(stats.rows()).isEqualTo(10_000);
    assertThat(stats.waitNanos()).isPositive();
    assertThat(stats.userNanos()).isPositive();
  }

  @Test
  void closingEarlyCancelsAndGivesEveryByteBack() {
    try (BatchIterator it = range(5_000_000, 50).iterBatches(
        IterBatchesOptions.defaults().withBatchSize(1_000).withPrefetchBatches(8))) {
      for (int i = 0; i < 3; i++) {
        assertThat(it.next().rowCount()).isEqualTo(1_000);
      }
    }
  }

  @Test
  void anEqualSplitIsDisjointCoversAllButTheRemainderAndBalancesRowsExactly() throws Exception {
    List<BatchIterator> split = range(10_001, 7).streamingSplit(2, true,
        IterBatchesOptions.defaults().withBatchSize(64));
    CompletableFuture<List<Long>> a = CompletableFuture.supplyAsync(
        () -> drain(split.get(0), new ArrayList<>()));
    List<Long> b = drain(split.get(1), new ArrayList<>());

    assertThat(a.get()).hasSize(5_000);
    assertThat(b).hasSize(5_000);
    Set<Long> all = new HashSet<>(a.get());
    all.addAll(b);
    assertThat(all).hasSize(10_000); // disjoint; one row (10_001 mod 2) dropped
    assertThat(LongStream.range(0, 10_001).filter(all::contains).count()).isEqualTo(10_000);
  }

  @Test
  void anUnequalSplitGivesEveryRowToExactlyOneConsumer() throws Exception {
    List<BatchIterator> split = range(20_000, 9).streamingSplit(3, false,
        IterBatchesOptions.defaults().withBatchSize(100));
    List<CompletableFuture<List<Long>>> parts = split.stream()
        .map(it -> CompletableFuture.supplyAsync(() -> drain(it, new ArrayList<>()))).toList();
    List<Long> all = new ArrayList<>();
    for (CompletableFuture<List<Long>> p : parts) {
      all.addAll(p.get());
    }
    assertThat(all).containsExactlyInAnyOrderElementsOf(
        LongStream.range(0, 20_000).boxed().toList());
  }

  @Test
  void aSlowConsumerHoldsAnEqualSplitBackByAtMostThePrefetchedBatches() throws Exception {
    int prefetch = 2;
    List<BatchIterator> split = range(20_000, 20).streamingSplit(2, true,
        IterBatchesOptions.defaults().withBatchSize(100).withPrefetchBatches(prefetch));
    AtomicInteger slowTaken = new AtomicInteger();
    CompletableFuture<Integer> fast = CompletableFuture.supplyAsync(() -> {
      int lead = 0;
      int taken = 0;
      try (BatchIterator it = split.get(0)) {
        while (it.hasNext()) {
          it.next();
          taken++;
          lead = Math.max(lead, taken - slowTaken.get());
        }
      }
      return lead;
    });
    try (BatchIterator slow = split.get(1)) {
      while (slow.hasNext()) {
        slow.next();
        Thread.sleep(2); // a slow training step; the bound holds whatever the timing
        slowTaken.incrementAndGet();
      }
    }
    // The fast consumer may see the slow one's count one batch late.
    assertThat(fast.get()).isLessThanOrEqualTo(prefetch + 1);
    assertThat(slowTaken).hasValue(100);
  }

  @Test
  void aConsumerThatLeavesEarlyDoesNotHoldAnEqualSplitBack() {
    List<BatchIterator> split = range(10_000, 10).streamingSplit(2, true,
        IterBatchesOptions.defaults().withBatchSize(100));
    try (BatchIterator leaving = split.get(0)) {
      leaving.next();
    }
    List<Long> rest = drain(split.get(1), new ArrayList<>());
    assertThat(rest).hasSizeGreaterThanOrEqualTo(4_900).doesNotHaveDuplicates();
  }

  @Test
  void aFailureReachesEveryConsumer() {
    Dataset failing = range(1_000, 10).map(r -> {
      if ((Long) r.get("id") == 500) {
        throw new IllegalStateException("bad row");
      }
      return r;
    });
    List<BatchIterator> split = failing.streamingSplit(2, false,
        IterBatchesOptions.defaults().withBatchSize(10));
    assertThatThrownBy(() -> {
      for (BatchIterator it : split) {
        while (it.hasNext()) {
          it.next();
        }
      }
    }).hasRootCauseMessage("bad row");
    split.forEach(BatchIterator::close);
  }
}
