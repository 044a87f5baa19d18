package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.BlockClosedException;
import dev.tributary.memory.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The ownership rule of {@link BlockTransform}, case by case: every transform, returning its
 * input, a new block, null, or throwing, alone and fused before and after a step that hands its
 * input on, inline and on a pool, leaves no block used after close and no byte allocated.
 */
class BlockTransformOwnershipTest {
  private static final List<Long> ALL = LongStream.range(0, 20).boxed().toList();
  private static final List<Long> NONE = List.of();

  private final Arena arena = Arena.create("ownership", 64 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Account op = arena.openAccount("op");
  private final Scheduler pool = Schedulers.newParallel("ownership-test", 2);

  @AfterEach
  void noLeaks() {
    pool.dispose();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  /** What a case must give: the ids that come out, or a failure whose message has this text. */
  private record Outcome(List<Long> ids, String failure) {
    static Outcome ids(List<Long> ids) {
      return new Outcome(ids, null);
    }

    static Outcome fails(String text) {
      return new Outcome(null, text);
    }
  }

  private static BlockTransform copy() {
    return BlockTransform.reading((in, out) -> Blocks.copy(out, in.root()));
  }

  private static RuntimeException boom() {
    return new IllegalStateException("boom");
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        row("lambda", "returns input", (in, out) -> in, Outcome.ids(ALL)),
        row("lambda", "returns new", copy(), Outcome.ids(ALL)),
        row("lambda", "returns null", (in, out) -> {
          in.close();
          return null;
        }, Outcome.ids(NONE)),
        row("lambda", "throws", (in, out) -> {
          throw boom();
        }, Outcome.fails("boom")),
        row("reading", "returns input", BlockTransform.reading((in, out) -> in.retain()),
            Outcome.ids(ALL)),
        row("reading", "returns null", BlockTransform.reading((in, out) -> null),
            Outcome.ids(NONE)),
        row("reading", "throws after allocating", BlockTransform.reading((in, out) -> {
          try (Block made = Blocks.copy(out, in.root())) {
            throw boom();
          }
        }), Outcome.fails("boom")),
        row("map", "returns new", RowTransforms.map(r -> Map.of("id", r.get("id"))),
            Outcome.ids(ALL)),
        row("map", "throws", RowTransforms.map(r -> {
          throw boom();
        }), Outcome.fails("boom")),
        row("filter", "returns input", RowTransforms.filter(r -> true), Outcome.ids(ALL)),
        row("filter", "returns new", RowTransforms.filter(r -> (Long) r.get("id") % 2 == 0),
            Outcome.ids(LongStream.range(0, 20).filter(v -> v % 2 == 0).boxed().toList())),
        row("filter", "returns null", RowTransforms.filter(r -> false), Outcome.ids(NONE)),
        row("filter", "throws", RowTransforms.filter(r -> {
          throw boom();
        }), Outcome.fails("boom")),
        row("withColumn", "returns new", RowTransforms.withColumn("x", r -> 1L),
            Outcome.ids(ALL)),
        row("withColumn", "throws", RowTransforms.withColumn("x", r -> {
          throw boom();
        }), Outcome.fails("boom")),
        row("batchFilter", "returns input", BatchFilter.of(root -> mask(root.getRowCount(), 1)),
            Outcome.ids(ALL)),
        row("batchFilter", "returns new", BatchFilter.of(root -> mask(root.getRowCount(), 2)),
            Outcome.ids(LongStream.range(0, 20).filter(v -> v % 2 == 0).boxed().toList())),
        row("batchFilter", "returns null", BatchFilter.of(root -> new boolean[root.getRowCount()]),
            Outcome.ids(NONE)),
        row("batchFilter", "throws", BatchFilter.of(root -> new boolean[1]),
            Outcome.fails("one flag per row")),
        row("columnMapping", "returns new", ColumnMapping.select(List.of("id")),
            Outcome.ids(ALL)),
        row("columnMapping", "throws", ColumnMapping.select(List.of("nope")),
            Outcome.fails("nope")));
  }

  /** Every {@code every}-th row kept, from the first. */
  private static boolean[] mask(int rows, int every) {
    boolean[] keep = new boolean[rows];
    for (int i = 0; i < rows; i += every) {
      keep[i] = true;
    }
    return keep;
  }

  private static Arguments row(String transform, String behaviour, BlockTransform t,
      Outcome outcome) {
    return Arguments.of(transform + " " + behaviour, t, outcome);
  }

  /** Where the transform runs: alone, fused after or before a step that hands its input on. */
  private static final List<Function<BlockTransform, BlockTransform>> PLACEMENTS = List.of(
      t -> t,
      t -> RowTransforms.filter(r -> true).andThen(t),
      t -> t.andThen(RowTransforms.filter(r -> true)),
      t -> t.andThen((in, out) -> in));

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void consumesItsInputAndLeavesNothingBehind(String name, BlockTransform t, Outcome outcome) {
    for (Function<BlockTransform, BlockTransform> placement : PLACEMENTS) {
      BlockTransform placed = placement.apply(t);
      check(MapBlocks.of(name, placed, op), outcome);
      check(MapBlocks.of(name, placed, op).concurrency(2, pool), outcome);
    }
    direct(t, outcome);
  }

  private void check(MapBlocks stage, Outcome outcome) {
    List<Long> ids = new ArrayList<>();
    Flux<Block> out = ids().transform(stage).doOnNext(b -> {
      try (b) {
        LongStream.of(ColumnReader.longs(b, "id")).forEach(ids::add);
      }
    });
    if (outcome.ids() != null) {
      out.blockLast(Duration.ofSeconds(30));
      assertThat(ids).as(stage.toString()).isEqualTo(outcome.ids());
    } else {
      assertThatThrownBy(() -> out.blockLast(Duration.ofSeconds(30)))
          .satisfies(e -> assertThat(causes(e)).as(stage.toString())
              .noneMatch(c -> c instanceof BlockClosedException)
              .anyMatch(c -> String.valueOf(c.getMessage()).contains(outcome.failure())));
    }
    // After an error a pooled stage's other task may still be releasing its block on a worker.
    arena.awaitEmpty(Duration.ofSeconds(2));
    assertThat(arena.allocatedBytes()).as(stage + ": " + arena.report()).isZero();
  }

  /** Called directly, the input is consumed: closed, or handed on as the result. */
  private void direct(BlockTransform t, Outcome outcome) {
    Block in = BlockBuilder.in(op).column("id", LongStream.range(0, 20).toArray()).build();
    if (outcome.ids() != null) {
      Block result = BlockTransform.run(t, in, op);
      assertThat(result == in || in.isClosed()).as("input consumed").isTrue();
      if (result != null) {
        result.close();
      }
    } else {
      assertThatThrownBy(() -> BlockTransform.run(t, in, op))
          .isNotInstanceOf(BlockClosedException.class);
      assertThat(in.isClosed()).as("input released on failure").isTrue();
    }
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** Two blocks of ten ids each, built lazily. */
  private Flux<Block> ids() {
    return Flux.range(0, 2).map(i -> BlockBuilder.in(source)
        .column("id", LongStream.range(i * 10L, i * 10L + 10).toArray()).build());
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable c = e; c != null && !all.contains(c); c = c.getCause()) {
      all.add(c);
      all.addAll(List.of(c.getSuppressed()));
    }
    return all;
  }
}
