package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.UserFunctionException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Plans and arguments are checked when the plan is built (issue 10, items 1 and 8): column
 * names stay unique wherever a schema forms, unknown columns are named with the ones there are,
 * and bad arguments fail at the call, naming the argument.
 */
class PlanChecksTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("plan-checks")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext ctx = DataContext.defaults();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private Dataset range(long n) {
    return Tributary.range(n, 2).withRuntime(runtime);
  }

  @Test
  void renamingOntoAnAddedColumnIsRefusedWhenThePlanIsBuilt() {
    Dataset withX = range(10).withColumn("x", r -> 100L);
    assertThatThrownBy(() -> withX.rename("id", "x"))
        .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column()).isEqualTo("x"))
        .hasMessageContaining("rename(id -> x)")
        .hasMessageContaining("[id, x]");
    assertThat(withX.stats()).as("nothing ran").isNull();
    assertThatThrownBy(() -> range(10).rename("id", "id").withColumn("y", r -> 1L)
        .rename("y", "id")).isInstanceOf(ColumnException.class);
    assertThat(range(3).rename("id", "id").takeAll()).hasSize(3);
  }

  @Test
  void renamingOntoAColumnKnownOnlyByRunningFailsTypedAndLeavesNothing() {
    Dataset ds = range(10).map(r -> Map.of("a", r.get("id"), "b", 1L)).rename("a", "b");
    assertThatThrownBy(ds::takeAll)
        .isInstanceOf(UserFunctionException.class)
        .rootCause().isInstanceOf(ColumnException.class).hasMessageContaining("rename(a -> b)");
  }

  @Test
  void selectNamingAColumnTwiceIsRefused() {
    assertThatThrownBy(() -> range(10).select("id", "id"))
        .isInstanceOf(ColumnException.class).hasMessageContaining("twice");
  }

  @Test
  void unknownColumnsInSelectDropAndRenameAreNamedWithTheColumnsThereAre() {
    Dataset ds = range(10).withColumn("x", r -> 1L);
    for (Runnable build : List.<Runnable>of(() -> ds.select("id", "nope"),
        () -> ds.drop("nope"), () -> ds.rename("nope", "y"))) {
      assertThatThrownBy(build::run)
          .isInstanceOfSatisfying(ColumnException.class,
              e -> assertThat(e.column()).isEqualTo("nope"))
          .hasMessageContaining("[id, x]");
    }
    assertThat(ds.drop("x").select("id").schema().getFields()).hasSize(1);
  }

  @Test
  void unionOfDifferentColumnsIsRefusedEvenBeforeTheirTypesAreKnown() {
    assertThatThrownBy(() -> range(5).withColumn("x", r -> 1L)
        .union(range(5).withColumn("y", r -> 1L)))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("[id, x]").hasMessageContaining("[id, y]");
  }

  @Test
  void arrowRootsWithARepeatedColumnNameAreRefused() {
    try (BigIntVector a = new BigIntVector("v", arena.openAccount("user").allocator());
        BigIntVector b = new BigIntVector("v", a.getAllocator())) {
      a.allocateNew(1);
      b.allocateNew(1);
      a.setValueCount(1);
      b.setValueCount(1);
      VectorSchemaRoot root = new VectorSchemaRoot(List.of(a, b));
      assertThatThrownBy(() -> Tributary.fromArrow(root))
          .isInstanceOf(ColumnException.class).hasMessageContaining("fromArrow");
    }
  }

  @Test
  void aBatchFunctionReturningTwoColumnsOfOneNameFailsTypedWithoutLeaking() {
    Dataset ds = range(100).mapBatchesArrow((root, allocator) -> {
      BigIntVector a = new BigIntVector("v", allocator);
      BigIntVector b = new BigIntVector("v", allocator);
      a.allocateNew(root.getRowCount());
      b.allocateNew(root.getRowCount());
      a.setValueCount(root.getRowCount());
      b.setValueCount(root.getRowCount());
      return new VectorSchemaRoot(List.of(a, b));
    }, MapBatchesOptions.defaults());
    assertThatThrownBy(ds::count).rootCause().isInstanceOf(ColumnException.class);
  }

  @Test
  void badArgumentsFailAtTheCallNamingTheArgument() {
    Dataset ds = range(10);
    assertThatThrownBy(() -> ds.limit(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows");
    assertThatThrownBy(() -> ds.iterBatches(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchSize");
    assertThatThrownBy(() -> ds.rebatch(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows");
    assertThatThrownBy(() -> ds.take(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ds.takeBatch(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ds.map(null)).hasMessageContaining("fn");
    // A bare null is the one argument two filter overloads both take; lambdas never are.
    assertThatThrownBy(() -> ds.filter((RowPredicate) null))
        .hasMessageContaining("keep");
    assertThatThrownBy(() -> ds.filter((dev.tributary.expr.Expr) null))
        .hasMessageContaining("predicate");
    assertThatThrownBy(() -> ds.where(null)).hasMessageContaining("predicate");
    assertThatThrownBy(() -> ds.mapBatches(b -> b, null)).hasMessageContaining("options");
    assertThatThrownBy(() -> ds.mapBatchesArrow((r, a) -> r, null))
        .hasMessageContaining("options");
    assertThatThrownBy(() -> ds.withColumn(null, r -> 1)).hasMessageContaining("name");
    assertThatThrownBy(() -> ds.select("id", null)).hasMessageContaining("columns[1]");
    assertThatThrownBy(() -> ds.rename("id", null)).hasMessageContaining("to");
    assertThatThrownBy(() -> ds.union((Dataset) null)).hasMessageContaining("others[0]");
    assertThatThrownBy(() -> ds.writeParquet((String) null)).hasMessageContaining("directory");
    assertThatThrownBy(() -> ds.withContext(null)).hasMessageContaining("context");
    assertThatThrownBy(() -> Tributary.fromArrow((VectorSchemaRoot) null))
        .hasMessageContaining("roots[0]");
    assertThatThrownBy(() -> ctx.withRetriedIoErrors(java.io.IOException.class, null))
        .hasMessageContaining("types[1]");
  }

  @Test
  void checkingAPlanRunsNothing() {
    AtomicInteger calls = new AtomicInteger();
    Dataset ds = range(10).withColumn("x", r -> calls.incrementAndGet()).rename("x", "y")
        .select("y", "id").drop("id");
    assertThat(calls.get()).isZero();
    assertThat(ds.takeAll()).hasSize(10).allSatisfy(r -> assertThat(r).containsOnlyKeys("y"));
    assertThat(calls.get()).isEqualTo(10);
  }

  @Test
  void everyBlockAPlanMakesHasUniqueNames() {
    List<Block> blocks = range(10).withColumn("x", r -> 1L).rename("x", "y")
        .toFlux().collectList().block();
    try {
      assertThat(blocks).allSatisfy(b -> assertThat(b.schema().getFields())
          .extracting(f -> f.getName()).containsExactly("id", "y"));
    } finally {
      blocks.forEach(Block::close);
    }
  }
}
