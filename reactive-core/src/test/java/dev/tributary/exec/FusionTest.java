package dev.tributary.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.gpu.GpuCompute;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.ColumnMapping;
import dev.tributary.plan.Filter;
import dev.tributary.plan.LogicalPlan;
import dev.tributary.plan.MapBatches;
import dev.tributary.plan.MapRows;
import dev.tributary.plan.Project;
import dev.tributary.plan.Read;
import dev.tributary.plan.Rebatch;
import dev.tributary.plan.Source;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class FusionTest {
  private static final BlockTransform SAME = (in, out) -> in;
  private static final Read READ = new Read(Source.of("Src",
      (account, settings, stats) -> Flux.empty(), () -> null, () -> -1));

  private static List<List<String>> names(List<List<LogicalPlan>> stages) {
    return stages.stream().map(s -> s.stream().map(LogicalPlan::describe).toList()).toList();
  }

  @Test
  void defaultOperatorsFuseAndAnOperatorWithOptionsStartsAStageTheNextOnesJoin() {
    MapRows map = new MapRows(READ, "Map", SAME, null);
    Filter filter = Filter.opaque(map, "Filter", SAME);
    MapBatches pooled = new MapBatches(filter, "MapBatches", SAME, 0, 2);
    Project select = new Project(pooled, ColumnMapping.select(List.of("x")));
    Rebatch rebatch = new Rebatch(select, 10);
    MapBatches batched = new MapBatches(rebatch, "MapBatches", SAME, 0, 1);
    List<LogicalPlan> chain = List.of(map, filter, pooled, select, rebatch, batched);
    assertThat(names(Fusion.stages(chain, true))).containsExactly(
        List.of("Map", "Filter"), List.of("MapBatches[concurrency=2]", "Select[x]"),
        List.of("Rebatch[10]", "MapBatches"));
    assertThat(names(Fusion.stages(chain, false))).hasSize(6).allMatch(s -> s.size() == 1);
  }

  @Test
  void aGpuStageFusesWithNeitherNeighbour() {
    MapRows map = new MapRows(READ, "Map", SAME, null);
    MapBatches gpu = new MapBatches(map, "MapBatchesGpu", SAME, 0, 1, GpuCompute.gpu(0, 1));
    Filter filter = Filter.opaque(gpu, "Filter", SAME);
    Filter again = Filter.opaque(filter, "Filter", SAME);
    assertThat(names(Fusion.stages(List.of(map, gpu, filter, again), true))).containsExactly(
        List.of("Map"), List.of("MapBatchesGpu[gpu(0, 1)]"), List.of("Filter", "Filter"));
  }

  @Test
  void aBatchSizeStartsAStage() {
    MapRows map = new MapRows(READ, "Map", SAME, null);
    MapBatches batched = new MapBatches(map, "MapBatches", SAME, 64, 1);
    assertThat(names(Fusion.stages(List.of(map, batched), true))).containsExactly(
        List.of("Map"), List.of("MapBatches[batchSize=64 concurrency=1]"));
  }

  @Test
  void thePhysicalPlanNamesEachStageAndWhatWasPushedIntoItsRead() {
    LogicalPlan plan = new Rebatch(new MapRows(new Project(READ,
        ColumnMapping.rename("a", "b")), "Map", SAME, null), 5);
    PhysicalPlan physical = PhysicalPlanner.plan(plan, true);
    assertThat(physical.explain()).isEqualTo("""
        Read Src
        MapBlocks Rename[a->b]->Map  (fused 2 operators)
        MapBlocks Rebatch[5]
        Output
        """);
    assertThat(physical.inputs().get(0).inputs().get(0)).isInstanceOfSatisfying(
        PhysicalPlan.MapStage.class, s -> assertThat(s.fedBySource()).isTrue());
  }
}
