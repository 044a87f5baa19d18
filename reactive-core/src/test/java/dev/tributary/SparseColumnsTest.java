package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A column null in every row of some blocks takes its type from the blocks that have values
 * (issue 10, item 4): blocks carry Arrow's null type for it, and every place blocks meet unifies.
 */
class SparseColumnsTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("sparse")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** 400 rows in 4 blocks; {@code score} is set only from row 250 on (blocks 3 and 4). */
  private Dataset sparse() {
    return Tributary.range(400, 4).withRuntime(runtime).map(r -> {
      long id = (Long) r.get("id");
      Map<String, Object> out = new HashMap<>();
      out.put("id", id);
      out.put("score", id >= 250 && id % 2 == 0 ? id * 1.5 : null);
      return out;
    });
  }

  private static List<Object> expectedScores() {
    List<Object> out = new ArrayList<>();
    for (long id = 0; id < 400; id++) {
      out.add(id >= 250 && id % 2 == 0 ? id * 1.5 : null);
    }
    return out;
  }

  @Test
  void theTypeComesFromTheFirstBlockWithAValue() {
    assertThat(sparse().schema().findField("score").getType())
        .isEqualTo(new ArrowType.FloatingPoint(
            org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE));
    Dataset allNull = Tributary.range(10, 2).withRuntime(runtime)
        .withColumn("nothing", r -> null);
    assertThat(allNull.schema().findField("nothing").getType())
        .as("no row has a value: the type stays unknown").isEqualTo(ArrowType.Null.INSTANCE);
  }

  @Test
  void rowsBatchesAndUnionsKeepEveryValue() {
    assertThat(sparse().takeAll()).extracting(r -> r.get("score"))
        .containsExactlyElementsOf(expectedScores());
    Object[] batch = (Object[]) sparse().takeBatch(400).get("score");
    assertThat(batch).isInstanceOf(Double[].class).containsExactlyElementsOf(expectedScores());
    List<Object> unioned = new ArrayList<>(expectedScores());
    unioned.addAll(expectedScores());
    assertThat(sparse().union(sparse()).takeAll()).extracting(r -> r.get("score"))
        .containsExactlyElementsOf(unioned);
    long rows = sparse().iterBatches(300).map(b -> ((Object[]) b.get("score")).length)
        .reduce(0, Integer::sum).block();
    assertThat(rows).isEqualTo(400);
    assertThat(sparse().filter(r -> r.get("score") == null).count()).isEqualTo(325);
  }

  @Test
  void aMaterializedDatasetKnowsTheTypeFromEveryHeldBlock() {
    try (MaterializedDataset m = sparse().materialize()) {
      assertThat(m.schema().findField("score").getType())
          .isEqualTo(new ArrowType.FloatingPoint(
              org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE));
      assertThat(m.takeAll()).extracting(r -> r.get("score"))
          .containsExactlyElementsOf(expectedScores());
    }
  }
}
