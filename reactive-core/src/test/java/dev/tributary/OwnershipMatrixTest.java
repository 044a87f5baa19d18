package dev.tributary;

import static dev.tributary.expr.Expr.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.gpu.GpuCompute;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.UserFunctionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Block ownership in fused stages: every kind of step (returns its input, returns a new block,
 * returns nothing, throws) at every position of a fused chain gives the unfused result and leaves
 * no memory behind.
 */
class OwnershipMatrixTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("ownership")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext fused = DataContext.defaults();
  private final DataContext unfused = fused.withOperatorFusion(false);

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** The steps under test, each a name and what it adds to a dataset. */
  private static Map<String, UnaryOperator<Dataset>> steps() {
    Map<String, UnaryOperator<Dataset>> steps = new java.util.LinkedHashMap<>();
    steps.put("filter keeping every row (returns its input)", d -> d.filter(r -> true));
    steps.put("filterBatches keeping every row", d -> d.filterBatches(
        root -> { boolean[] k = new boolean[root.getRowCount()]; java.util.Arrays.fill(k, true);
          return k; }));
    steps.put("zero-copy mapBatchesArrow returning its input", d -> d.mapBatchesArrow(
        (root, allocator) -> root, MapBatchesOptions.defaults().withZeroCopyBatch(true)));
    steps.put("mapBatchesArrow returning its (copied) input", d -> d.mapBatchesArrow(
        (root, allocator) -> root, MapBatchesOptions.defaults()));
    steps.put("zero-copy mapBatchesArrow reusing its input's vectors in a new batch", d -> d
        .mapBatchesArrow((root, allocator) -> new VectorSchemaRoot(
            List.of(root.getVector("tag"), root.getVector("id"))),
            MapBatchesOptions.defaults().withZeroCopyBatch(true)));
    steps.put("GPU mapBatches returning its batch", d -> d.mapBatches(
        (root, device, allocator) -> root, GpuCompute.gpu(0)));
    steps.put("GPU mapBatches reusing its input's vectors in a new batch", d -> d.mapBatches(
        (root, device, allocator) -> new VectorSchemaRoot(
            List.of(root.getVector("tag"), root.getVector("id"))), GpuCompute.gpu(0)));
    steps.put("expression withColumn (other columns passed through)", d -> d
        .withColumn("extra", col("id").plus(1)).drop("extra"));
    steps.put("expression filter keeping every row (hands its input on)", d -> d
        .filter(col("id").gt(-1)));
    steps.put("expression select passing every column through", d -> d
        .select(col("id"), col("tag")));
    steps.put("select of every column", d -> d.select("id", "tag"));
    steps.put("rename", d -> d.rename("tag", "tag2").rename("tag2", "tag"));
    steps.put("map (a new block)", d -> d.map(r -> r));
    steps.put("mapBatches (a new block)", d -> d.mapBatches(b -> b));
    steps.put("withColumn", d -> d.withColumn("extra", r -> 1L).drop("extra"));
    steps.put("filter keeping some rows", d -> d.filter(r -> (Long) r.get("id") % 3 != 0));
    steps.put("filter keeping no row", d -> d.filter(r -> false));
    steps.put("filterBatches keeping no row", d -> d.filterBatches(
        root -> new boolean[root.getRowCount()]));
    return steps;
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (String step : steps().keySet()) {
      for (int position = 0; position < 3; position++) {
        cases.add(Arguments.of(step, position));
      }
    }
    return cases.stream();
  }

  private Dataset chain(DataContext ctx, UnaryOperator<Dataset> step, int position) {
    Dataset ds = Tributary.range(1000, 4).withContext(ctx).withRuntime(runtime)
        .withColumn("tag", r -> "t" + r.get("id"));
    List<UnaryOperator<Dataset>> chain = new ArrayList<>(List.of(
        d -> d.map(r -> r), d -> d.filter(r -> true)));
    chain.add(position, step);
    for (UnaryOperator<Dataset> s : chain) {
      ds = s.apply(ds);
    }
    return ds;
  }

  @ParameterizedTest(name = "{0} at position {1}")
  @MethodSource("cases")
  void everyStepAtEveryPositionGivesTheUnfusedResult(String step, int position) {
    UnaryOperator<Dataset> s = steps().get(step);
    List<Map<String, Object>> expected = chain(unfused, s, position).takeAll();
    assertThat(chain(fused, s, position).takeAll()).isEqualTo(expected);
    assertThat(chain(fused, s, position).count()).isEqualTo(expected.size());
  }

  @ParameterizedTest(name = "a throwing step at position {0}")
  @MethodSource("positions")
  void aThrowingStepFailsTypedAndLeavesNothing(int position) {
    UnaryOperator<Dataset> throwing = d -> d.map(r -> {
      if ((Long) r.get("id") == 600) {
        throw new IllegalStateException("boom");
      }
      return r;
    });
    for (DataContext ctx : List.of(fused, unfused)) {
      assertThatThrownBy(() -> chain(ctx, throwing, position).takeAll())
          .isInstanceOf(UserFunctionException.class).hasRootCauseMessage("boom");
    }
  }

  static Stream<Integer> positions() {
    return Stream.of(0, 1, 2);
  }
}
