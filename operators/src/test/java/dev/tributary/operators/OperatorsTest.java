package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The operators used directly on an application's own {@code Flux<Block>}. */
class OperatorsTest {
  private final Arena arena = Arena.create("operators", 128 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Account op = arena.openAccount("op");
  private final Scheduler pool = Schedulers.newParallel("ops-test", 2);

  @AfterEach
  void noLeaks() {
    pool.disposeGracefully().block(java.time.Duration.ofSeconds(30));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  /** {@code blocks} blocks of {@code rows} consecutive ids each, built lazily. */
  private Flux<Block> ids(int blocks, int rows) {
    return Flux.range(0, blocks).map(i -> BlockBuilder.in(source)
        .column("id", LongStream.range((long) i * rows, (long) (i + 1) * rows).toArray())
        .build());
  }

  private static List<Long> drain(Flux<Block> flux) {
    List<Long> out = new ArrayList<>();
    flux.doOnNext(b -> {
      try (b) {
        for (long v : ColumnReader.longs(b, "id")) {
          out.add(v);
        }
      }
    }).blockLast(Duration.ofSeconds(30));
    return out;
  }

  private static List<Long> range(long n) {
    return LongStream.range(0, n).boxed().toList();
  }

  @Test
  void aFusedStepThatPassesItsInputOnKeepsItOpen() {
    BlockTransform addOne = BlockTransform.reading((in, out) -> BlockBuilder.in(out)
        .column("id", LongStream.of(ColumnReader.longs(in, "id")).map(v -> v + 1).toArray())
        .build());
    BlockTransform keepAll = RowTransforms.filter(r -> true);
    List<Long> out = drain(ids(3, 10).transform(MapBlocks.of("fused", addOne.andThen(keepAll),
        op)));
    assertThat(out).isEqualTo(LongStream.range(1, 31).boxed().toList());
  }

  @Test
  void concatAndUnionGiveAColumnNullInOneBlockTheOthersType() {
    Block sparse = BlockBuilder.in(source).column("v", new Object[] {null, null}).build();
    Block typed = BlockBuilder.in(source).column("v", new Object[] {7L}).build();
    try (Block all = Blocks.concat(List.of(sparse, typed), op)) {
      assertThat(ColumnReader.values(all, "v")).containsExactly(null, null, 7L);
      assertThat(all.schema().findField("v").getType())
          .isEqualTo(new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true));
    }
    List<Object> values = new ArrayList<>();
    Union.of(List.of(Flux.just(sparse), Flux.just(typed))).doOnNext(b -> {
      try (b) {
        values.addAll(java.util.Arrays.asList(ColumnReader.values(b, "v")));
      }
    }).blockLast();
    assertThat(values).containsExactly(null, null, 7L);
  }

  @Test
  void nullTypedColumnsSurviveTakeCopySliceAndProjection() {
    try (Block b = BlockBuilder.in(source).column("id", new long[] {1, 2, 3})
        .column("none", new Object[3]).build()) {
      try (Block kept = Blocks.keep(b, i -> i != 1, op);
          Block copied = Blocks.copy(op, b.root());
          Block sliced = b.slice(1, 2);
          Block renamed = Blocks.project(b, Map.of("none", "still"), op)) {
        assertThat(ColumnReader.longs(kept, "id")).containsExactly(1, 3);
        assertThat(ColumnReader.values(kept, "none")).containsExactly(null, null);
        assertThat(ColumnReader.values(copied, "none")).hasSize(3).containsOnlyNulls();
        assertThat(ColumnReader.values(sliced, "none")).hasSize(2).containsOnlyNulls();
        assertThat(ColumnReader.values(renamed, "still")).hasSize(3).containsOnlyNulls();
      }
    }
  }

  @Test
  void aBlockTheOperatorCannotTakeIsNotLeftInProcess() {
    Block first = BlockBuilder.in(source).column("id", new long[] {1, 2}).build();
    Block kept = first.retain();
    MapBlocks map = MapBlocks.of("refused", (in, out) -> in, op);
    // The transfer into the operator's account is refused while another handle is open.
    StepVerifier.create(Flux.just(first).transform(map))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("another handle"))
        .verify(Duration.ofSeconds(30));
    assertThat(first.isClosed()).isTrue();
    assertThat(map.load().inProcess()).as("taken and finished").isZero();
    assertThat(ColumnReader.longs(kept, "id")).containsExactly(1, 2);
    kept.close();
  }

  @Test
  void mapBlocksChargesItsOwnAccountAndKeepsOrderOnAPool() {
    BlockTransform plusOne = BlockTransform.reading((in, out) -> BlockBuilder.in(out)
        .column("id", LongStream.of(ColumnReader.longs(in, "id")).map(v -> v + 1).toArray())
        .build());
    MapBlocks map = MapBlocks.of("plus-one", plusOne, op).concurrency(4, pool);
    StepVerifier.create(ids(20, 100).transform(map))
        .thenConsumeWhile(b -> {
          try (b) {
            assertThat(b.owner()).isSameAs(op);
            return true;
          }
        })
        .verifyComplete();
    assertThat(drain(ids(20, 100).transform(map)))
        .isEqualTo(LongStream.range(1, 2001).boxed().toList());
    assertThat(map.stats().snapshot().blocksIn()).isEqualTo(40);
  }

  @Test
  void rebatchCutsExactBatchesAcrossBlockBoundaries() {
    List<Integer> sizes = new ArrayList<>();
    List<Long> values = drain(ids(7, 30).transform(Rebatch.of(50, op))
        .doOnNext(b -> sizes.add(b.rowCount())));
    assertThat(values).isEqualTo(range(210));
    assertThat(sizes).containsExactly(50, 50, 50, 50, 10);
  }

  @Test
  void rebatchReleasesPendingRowsOnCancel() {
    StepVerifier.create(ids(10, 30).transform(Rebatch.of(50, op)).take(2).doOnNext(Block::close))
        .expectNextCount(2)
        .verifyComplete();
  }

  @Test
  void splitBlocksCutsLargeBlocksIntoCopiesAndPassesSmallOnes() {
    List<Integer> sizes = new ArrayList<>();
    // 30 rows of int64 take 1 KiB (one allocation segment), 1000 rows about 9 KiB.
    Flux<Block> mixed = Flux.concat(ids(1, 1000), ids(1, 30).map(b -> b));
    List<Long> values = drain(mixed.transform(SplitBlocks.above(4 * Bytes.KiB, op))
        .doOnNext(b -> {
          assertThat(b.owner()).isSameAs(op);
          assertThat(b.sizeBytes()).isLessThanOrEqualTo(4 * Bytes.KiB);
          sizes.add(b.rowCount());
        }));
    assertThat(values).hasSize(1030);
    assertThat(sizes).hasSizeGreaterThan(2).endsWith(30);
  }

  @Test
  void splitBlocksAsksUpstreamOnlyForWhatItsPiecesDoNotCoverAndReleasesThemOnCancel() {
    List<Long> asked = new ArrayList<>();
    // Blocks of 1000 int64 rows (8 KiB) cut into three pieces of at most 3 KiB.
    Flux<Block> split = ids(10, 1000).doOnRequest(asked::add)
        .transform(SplitBlocks.above(3 * Bytes.KiB, op));
    StepVerifier.create(split, 1)
        .consumeNextWith(Block::close)
        .then(() -> assertThat(asked).as("one block for the first piece").containsExactly(1L))
        .thenRequest(1)
        .consumeNextWith(Block::close)
        .then(() -> assertThat(asked).as("the next was a piece already cut").hasSize(1))
        .thenCancel() // the third piece is released
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void aThrowOutOfSplitBlocksDrainEndsTheStreamInsteadOfStallingIt() {
    // Reactor rethrows a LinkageError from doOnNext into the drain loop, here on the thread that
    // delivers the blocks: without the fix nothing drains again and the stream never ends.
    Flux<Block> split = ids(5, 1000).publishOn(pool, 2)
        .transform(SplitBlocks.above(3 * Bytes.KiB, op))
        .doOnNext(b -> {
          b.close();
          throw new LinkageError("boom");
        });
    StepVerifier.create(split).expectErrorMessage("boom").verify(Duration.ofSeconds(30));
  }

  @Test
  void coalesceBlocksMergesSmallBlocksUpToTheMinimumAndFlushesTheRest() {
    List<Integer> sizes = new ArrayList<>();
    // Blocks of 100 int64 rows take 1 KiB (one allocation segment): five reach 5 KiB.
    List<Long> values = drain(ids(7, 100).transform(CoalesceBlocks.below(5 * Bytes.KiB, op))
        .doOnNext(b -> sizes.add(b.rowCount())));
    assertThat(values).isEqualTo(range(700));
    assertThat(sizes).containsExactly(500, 200);
  }

  @Test
  void coalesceBlocksMergesOnlyBlocksOfOneSchemaAndPassesLargeOnes() {
    Flux<Block> names = Flux.defer(() -> Flux.just(
        BlockBuilder.in(source).column("name", new String[] {"x"}).build()));
    List<Integer> sizes = new ArrayList<>();
    Flux<Block> blocks = Flux.concat(ids(2, 100), names, ids(1, 10_000), ids(1, 100));
    blocks.transform(CoalesceBlocks.below(5 * Bytes.KiB, op))
        .doOnNext(b -> {
          try (b) {
            sizes.add(b.rowCount());
          }
        }).blockLast(Duration.ofSeconds(30));
    assertThat(sizes).containsExactly(200, 1, 10_000, 100);
  }

  @Test
  void coalesceBlocksReleasesWhatItGatheredOnCancel() {
    StepVerifier.create(ids(10, 100).transform(CoalesceBlocks.below(5 * Bytes.KiB, op))
            .take(1).doOnNext(Block::close))
        .expectNextCount(1)
        .verifyComplete();
  }

  @Test
  void limitSlicesTheLastBlockAndStopsUpstream() {
    List<Integer> built = new ArrayList<>();
    Flux<Block> counted = ids(100, 10).doOnNext(b -> built.add(b.rowCount()));
    assertThat(drain(counted.transform(Limit.of(25)))).isEqualTo(range(25));
    assertThat(built).hasSizeLessThanOrEqualTo(4);
  }

  @Test
  void unionRejectsASecondSchemaAndReleasesWhatItDrops() {
    Flux<Block> other = Flux.defer(() -> Flux.just(
        BlockBuilder.in(source).column("name", new String[] {"x"}).build()));
    StepVerifier.create(Union.of(List.of(ids(2, 5), other)).doOnNext(Block::close))
        .expectNextCount(2)
        .expectError(SchemaMismatchException.class)
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void rowTransformsWorkOnBlocks() {
    // Each transform consumes its input: only the last result is left to close.
    Block in = BlockBuilder.in(source).column("id", new long[] {1, 2, 3, 4}).build();
    Block even = RowTransforms.filter(r -> (Long) r.get("id") % 2 == 0).apply(in, op);
    Block named = RowTransforms.withColumn("name", r -> "n" + r.get("id")).apply(even, op);
    try (Block renamed = ColumnMapping.rename("id", "key").apply(named, op)) {
      assertThat(List.of(in, even, named)).allMatch(Block::isClosed);
      assertThat(Rows.read(renamed)).containsExactly(
          Map.of("key", 2L, "name", "n2"), Map.of("key", 4L, "name", "n4"));
      assertThat(renamed.schema().getFields().get(0).isNullable()).isFalse();
    }
  }
}
