package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.JvmErrorException;
import dev.tributary.operators.UserFunctionException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * What row functions produce stays inside the memory limit, and failures of the JVM are not
 * blamed on the user's function (issue 10, item 5; the fused-ownership bug of issue 11).
 */
class RowFunctionMemoryTest {
  private static final long LIMIT = 64 * Bytes.MiB;
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("row-functions")
      .memoryLimit(LIMIT).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** {@code n} rows of a 64-character string, computed one by one as they are asked for. */
  private static Iterable<Map<String, Object>> lazyRows(long base, int n) {
    String pad = "x".repeat(64);
    return () -> new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public Map<String, Object> next() {
        return Map.of("id", base + i++, "pad", pad);
      }
    };
  }

  @Test
  void oneRowFlatMappedBeyondTheLimitStreamsInBlocksWithinTheLimit() {
    int n = 2_000_000; // about 150 MB of Arrow data from one input row, under a 64 MiB limit
    Dataset ds = Tributary.range(1, 1).withRuntime(runtime)
        .flatMap(r -> lazyRows((Long) r.get("id"), n));
    long[] sum = new long[1];
    long[] blocks = new long[1];
    StepVerifier.create(ds.toFlux().doOnNext(b -> {
      try (b) {
        blocks[0]++;
        for (Object v : ColumnReader.values(b, "id")) {
          sum[0] += (Long) v;
        }
      }
    })).expectNextCount(0).thenConsumeWhile(x -> true).verifyComplete();
    assertThat(sum[0]).isEqualTo((long) n * (n - 1) / 2);
    assertThat(blocks[0]).isGreaterThan(10);
    assertThat(ds.stats().arenaPeakBytes()).isLessThanOrEqualTo(LIMIT);
  }

  @Test
  void flatMapKeepsOrderAndCutsNothingWhenSmall() {
    List<Map<String, Object>> rows = Tributary.range(10, 3).withRuntime(runtime)
        .flatMap(r -> List.of(Map.of("y", r.get("id")), Map.of("y", -(Long) r.get("id"))))
        .takeAll();
    assertThat(rows).extracting(r -> r.get("y")).containsExactly(
        0L, 0L, 1L, -1L, 2L, -2L, 3L, -3L, 4L, -4L, 5L, -5L, 6L, -6L, 7L, -7L, 8L, -8L, 9L, -9L);
  }

  @Test
  void aFlatMapCancelledMidwayLeavesNothing() {
    Dataset ds = Tributary.range(3, 3).withRuntime(runtime)
        .flatMap(r -> lazyRows(0, 1_000_000));
    StepVerifier.create(ds.toFlux().doOnNext(Block::close), 1)
        .expectNextCount(1).thenCancel().verify();
  }

  @Test
  void aFlatMapFunctionFailingIsTheUsersErrorWithItsBlock() {
    Dataset ds = Tributary.range(10, 5).withRuntime(runtime).flatMap(r -> {
      if ((Long) r.get("id") == 7) {
        throw new IllegalStateException("boom");
      }
      return List.of(r);
    });
    assertThatThrownBy(ds::takeAll)
        .isInstanceOfSatisfying(UserFunctionException.class,
            e -> assertThat(e.blockIndex()).isEqualTo(3))
        .hasRootCauseMessage("boom");
  }

  @Test
  void fewHugeItemsGetABlockEachAndFitTheLimit() {
    byte[] big = new byte[24 * (int) Bytes.MiB];
    Arrays.fill(big, (byte) 7);
    List<Map<String, Object>> items = IntStream.range(0, 4)
        .mapToObj(i -> Map.<String, Object>of("i", (long) i, "blob", big)).toList();
    Dataset ds = Tributary.fromItems(items).withRuntime(runtime);
    long[] rows = new long[1];
    StepVerifier.create(ds.toFlux().doOnNext(b -> {
      try (b) {
        assertThat(b.rowCount()).isEqualTo(1);
        rows[0] += b.rowCount();
      }
    })).thenConsumeWhile(x -> true).verifyComplete();
    assertThat(rows[0]).isEqualTo(4);
  }

  @Test
  void manySmallItemsStillMakeSeveralBlocks() {
    List<Map<String, Object>> items = IntStream.range(0, 100_000)
        .mapToObj(i -> Map.<String, Object>of("i", (long) i)).toList();
    Dataset ds = Tributary.fromItems(items).withRuntime(runtime);
    assertThat(ds.takeAll()).hasSize(100_000);
    assertThat(ds.stats().operator("FromItems[100000]").blocksOut()).isGreaterThan(1);
  }

  @Test
  void aJvmErrorIsNotReportedAsTheUsersFunctionFailing() {
    Dataset ds = Tributary.range(10, 2).withRuntime(runtime).map(r -> {
      throw new OutOfMemoryError("simulated");
    });
    assertThatThrownBy(ds::takeAll)
        .isInstanceOf(JvmErrorException.class)
        .isNotInstanceOf(UserFunctionException.class)
        .hasMessageContaining("'Map'")
        .hasMessageContaining("-Xmx")
        .hasCauseInstanceOf(OutOfMemoryError.class);
    Dataset flat = Tributary.range(10, 2).withRuntime(runtime).flatMap(r -> {
      throw new StackOverflowError();
    });
    assertThatThrownBy(flat::takeAll).isInstanceOf(JvmErrorException.class);
  }

  @Test
  void aFusedStageWhoseLastStepReturnsItsInputKeepsTheBlock() {
    Dataset ds = Tributary.range(100, 2).withRuntime(runtime)
        .map(r -> Map.of("id", r.get("id")))
        .filter(r -> true);
    assertThat(ds.count()).isEqualTo(100);
    assertThat(ds.takeAll()).hasSize(100);
    Dataset arrow = Tributary.range(100, 2).withRuntime(runtime)
        .map(r -> Map.of("id", r.get("id")))
        .mapBatchesArrow((root, allocator) -> root, MapBatchesOptions.defaults());
    assertThat(arrow.count()).isEqualTo(100);
  }
}
