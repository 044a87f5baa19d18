package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.RowCountMismatchException;
import dev.tributary.operators.exchange.SpillSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * randomizeBlockOrder, zip, and the sort-key type check: against plain-Java references, under a
 * tiny memory limit (spilling, or streaming in bounded memory) and a large one, with nothing
 * left (bytes or spill files) after success, cancel or error.
 */
class BlockOrderAndZipTest {
  private static final long TINY = 4 * Bytes.MiB;
  private final TributaryRuntime tiny = TributaryRuntime.builder().name("tiny").memoryLimit(TINY)
      .build();
  private final TributaryRuntime large = TributaryRuntime.builder().name("large")
      .memoryLimit(256 * Bytes.MiB).build();

  @TempDir Path spillDir;

  @AfterEach
  void nothingLeft() throws Exception {
    tiny.close();
    large.close();
    assertThat(tiny.arena().allocatedBytes()).as(tiny.arena().report()).isZero();
    assertThat(large.arena().allocatedBytes()).as(large.arena().report()).isZero();
    try (Stream<Path> left = Files.list(spillDir)) {
      assertThat(left).isEmpty();
    }
  }

  private Dataset in(TributaryRuntime runtime, Dataset ds) {
    return ds.withRuntime(runtime)
        .withContext(DataContext.defaults().toBuilder().memoryLimit(runtime.memoryLimit())
            .spill(new SpillSettings(spillDir, 4 * Bytes.GiB)).build());
  }

  /** The ids of each block, in the order the blocks come. */
  private static List<long[]> blocks(Dataset ds) {
    return ds.toFlux(b -> ColumnReader.longs(b, "id")).collectList().block();
  }

  private static OperatorSnapshot stage(Dataset ds, String prefix) {
    return ds.stats().operators().stream().filter(o -> o.name().startsWith(prefix))
        .findFirst().orElseThrow();
  }

  // ---------------------------------------------------------------- randomizeBlockOrder

  @Test
  void randomizeBlockOrderIsTheSeededPermutationOfTheBlocksUnchanged() {
    int rows = 100_000;
    int count = 40;
    List<long[]> input = blocks(in(large, Tributary.range(rows, count)));
    assertThat(input).hasSize(count);
    // The reference: the input's blocks in a Fisher-Yates order drawn from the seed.
    List<long[]> expected = new ArrayList<>(input);
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int i = count - 1; i > 0; i--) {
      java.util.Collections.swap(expected, i, random.nextInt(i + 1));
    }
    List<long[]> out = blocks(in(large, Tributary.range(rows, count)).randomizeBlockOrder(7));
    assertThat(out.stream().map(Arrays::toString).toList())
        .isEqualTo(expected.stream().map(Arrays::toString).toList());
    assertThat(out.stream().map(b -> b[0]).toList())
        .isNotEqualTo(input.stream().map(b -> b[0]).toList());
  }

  @Test
  void randomizeBlockOrderIsDeterministicPerSeedAndSpillsUnderATinyLimit() {
    int rows = 600_000; // 4.8 MB of ids: beyond a quarter of the tiny limit
    Dataset small = in(tiny, Tributary.range(rows, 60)).randomizeBlockOrder(3);
    List<long[]> one = blocks(small);
    List<long[]> again = blocks(in(tiny, Tributary.range(rows, 60)).randomizeBlockOrder(3));
    List<long[]> other = blocks(in(tiny, Tributary.range(rows, 60)).randomizeBlockOrder(4));
    assertThat(firsts(one)).isEqualTo(firsts(again)).isNotEqualTo(firsts(other));
    assertThat(stage(small, "RandomizeBlockOrder").spills().bytesSpilled()).isPositive();
    assertThat(small.stats().arenaPeakBytes()).isLessThanOrEqualTo(TINY);
    // Every row once, each block a run of consecutive ids.
    long[] all = one.stream().flatMapToLong(LongStream::of).sorted().toArray();
    assertThat(all).isEqualTo(LongStream.range(0, rows).toArray());
    for (long[] b : one) {
      assertThat(b[b.length - 1] - b[0]).isEqualTo(b.length - 1);
    }
  }

  private static List<Long> firsts(List<long[]> blocks) {
    return blocks.stream().map(b -> b[0]).toList();
  }

  @Test
  void randomizeBlockOrderOfNothingAndCancelledMidway() {
    assertThat(in(large, Tributary.range(0)).randomizeBlockOrder(1).takeAll()).isEmpty();
    StepVerifier.create(in(tiny, Tributary.range(600_000, 60)).randomizeBlockOrder(1)
            .toFlux(b -> b.rowCount()), 1)
        .expectNextCount(1)
        .thenCancel()
        .verify(Duration.ofSeconds(60));
    // nothingLeft() closes the runtime, which waits for the cancelled execution to end.
  }

  // ---------------------------------------------------------------- zip

  /** Column {@code y} with {@code 3 * i + 1} (null every 7th row), strings in {@code s}. */
  private static Map<String, Object> right(int rows) {
    Long[] y = new Long[rows];
    String[] s = new String[rows];
    Random r = new Random(5);
    for (int i = 0; i < rows; i++) {
      y[i] = i % 7 == 0 ? null : 3L * i + 1;
      s[i] = "s" + r.nextInt(1000);
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("y", y);
    columns.put("s", s);
    return columns;
  }

  @Test
  void zipAlignsRowsAcrossDifferentBlockCutsLikeAJavaLoop() {
    int rows = 10_007;
    Map<String, Object> r = right(rows);
    List<Map<String, Object>> expected = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", (long) i);
      row.put("y", ((Long[]) r.get("y"))[i]);
      row.put("s", ((String[]) r.get("s"))[i]);
      expected.add(row);
    }
    Dataset zipped = in(large, Tributary.range(rows, 7))
        .zip(Tributary.fromColumns(r).rebatch(333));
    assertThat(zipped.schema().getFields().stream().map(Field::getName).toList())
        .containsExactly("id", "y", "s");
    assertThat(zipped.takeAll()).isEqualTo(expected);
    assertThat(in(large, Tributary.range(0)).zip(Tributary.range(0).map(m -> Map.of("z", 1)))
        .takeAll()).isEmpty();
  }

  @Test
  void zipStreamsInBoundedMemoryUnderATinyLimit() {
    int rows = 2_000_000; // 16 MB per side against a 4 MiB limit
    Dataset zipped = in(tiny, Tributary.range(rows, 200))
        .zip(Tributary.range(rows, 130).map(m -> Map.of("twice", 2 * (long) m.get("id"))));
    long[] sums = zipped.toFlux(b -> {
      long[] id = ColumnReader.longs(b, "id");
      long[] twice = ColumnReader.longs(b, "twice");
      long bad = 0;
      for (int i = 0; i < id.length; i++) {
        bad += twice[i] == 2 * id[i] ? 0 : 1;
      }
      return new long[] {id.length, bad};
    }).reduce(new long[2], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]}).block();
    assertThat(sums).containsExactly(rows, 0);
    assertThat(zipped.stats().arenaPeakBytes()).isLessThanOrEqualTo(TINY);
  }

  @Test
  void zipOfUnequalRowCountsFailsNamingBothCounts() {
    Dataset zipped = in(large, Tributary.range(1_000, 3))
        .zip(Tributary.range(1_250, 4).map(m -> Map.of("other", m.get("id"))));
    StepVerifier.create(zipped.toFlux(b -> b.rowCount()))
        .thenConsumeWhile(n -> true)
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(RowCountMismatchException.class)
            .hasMessageContaining("1000").hasMessageContaining("1250"))
        .verify(Duration.ofSeconds(60));
    StepVerifier.create(in(large, Tributary.range(0))
            .zip(Tributary.range(5).map(m -> Map.of("other", m.get("id")))).toFlux())
        .expectError(RowCountMismatchException.class)
        .verify(Duration.ofSeconds(60));
  }

  @Test
  void aSharedColumnIsRefusedWhenKnownElseWhenTheBlocksMeet() {
    Dataset ids = in(large, Tributary.range(10));
    assertThatThrownBy(() -> ids.zip(Tributary.range(10)))
        .isInstanceOf(ColumnException.class)
        .hasMessageContaining("'id'")
        .hasMessageContaining("zip");
    Dataset unknown = Tributary.range(10).map(m -> Map.of("id", m.get("id")));
    StepVerifier.create(ids.zip(unknown).toFlux())
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ColumnException.class)
            .hasMessageContaining("'id'"))
        .verify(Duration.ofSeconds(60));
  }

  @Test
  void aZipCancelledMidwayLeavesNoBytes() {
    StepVerifier.create(in(tiny, Tributary.range(600_000, 60))
            .zip(Tributary.range(600_000, 17).map(m -> Map.of("v", m.get("id"))))
            .toFlux(b -> b.rowCount()), 1)
        .expectNextCount(1)
        .thenCancel()
        .verify(Duration.ofSeconds(60));
  }

  // ---------------------------------------------------------------- sort key types

  @Test
  void sortingOnAListOrStructColumnIsRefusedWhenThePlanIsBuilt() {
    Schema schema = new Schema(List.of(
        new Field("xs", FieldType.nullable(new ArrowType.List()),
            List.of(Field.nullable("item", new ArrowType.Int(64, true)))),
        new Field("st", FieldType.nullable(new ArrowType.Struct()),
            List.of(Field.nullable("a", new ArrowType.Int(32, true)))),
        Field.nullable("n", new ArrowType.Int(64, true))));
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      Dataset ds = in(large, Tributary.fromArrow(root));
      assertThatThrownBy(() -> ds.sort("n", "xs"))
          .isInstanceOf(ColumnException.class)
          .hasMessageContaining("'xs'").hasMessageContaining("List");
      assertThatThrownBy(() -> ds.sort("st"))
          .isInstanceOf(ColumnException.class)
          .hasMessageContaining("'st'").hasMessageContaining("Struct");
      assertThat(ds.sort("n").takeAll()).isEmpty();
    }
  }
}
