package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every transform and consumer against a reference computed with plain Java collections on the
 * same seeded data, for empty datasets, single-row blocks, ordinary blocks and a 1M-row block.
 */
class ReferenceTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("reference")
      .memoryLimit(1 * Bytes.GiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** Seeded columns: int64 key, float64 x, utf8 tag (nullable). */
  private static Map<String, Object> columns(int rows) {
    Random r = new Random(rows);
    long[] key = new long[rows];
    double[] x = new double[rows];
    String[] tag = new String[rows];
    for (int i = 0; i < rows; i++) {
      key[i] = r.nextInt(100);
      x[i] = r.nextGaussian();
      tag[i] = i % 10 == 0 ? null : "t" + r.nextInt(5);
    }
    return Map.of("key", key, "x", x, "tag", tag);
  }

  private static List<Map<String, Object>> rowsOf(Map<String, Object> columns) {
    long[] key = (long[]) columns.get("key");
    double[] x = (double[]) columns.get("x");
    String[] tag = (String[]) columns.get("tag");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < key.length; i++) {
      Map<String, Object> row = new java.util.HashMap<>();
      row.put("key", key[i]);
      row.put("x", x[i]);
      row.put("tag", tag[i]);
      rows.add(row);
    }
    return rows;
  }

  private Dataset dataset(Map<String, Object> columns, int rows, int blocks) {
    List<Map<String, Object>> all = rowsOf(columns);
    List<Dataset> parts = new ArrayList<>();
    for (int b = 0; b < blocks; b++) {
      int from = rows * b / blocks;
      int to = rows * (b + 1) / blocks;
      Map<String, Object> part = new java.util.LinkedHashMap<>();
      part.put("key", java.util.Arrays.copyOfRange((long[]) columns.get("key"), from, to));
      part.put("x", java.util.Arrays.copyOfRange((double[]) columns.get("x"), from, to));
      part.put("tag", java.util.Arrays.copyOfRange((String[]) columns.get("tag"), from, to));
      parts.add(Tributary.fromColumns(part).withRuntime(runtime));
    }
    assertThat(all).hasSize(rows);
    return parts.size() == 1 ? parts.get(0)
        : parts.get(0).union(parts.subList(1, parts.size()).toArray(Dataset[]::new));
  }

  @ParameterizedTest(name = "{0} rows in {1} blocks")
  @CsvSource({"0, 1", "5, 5", "3000, 7", "1000000, 1"})
  void everyTransformAndConsumerMatchesPlainJava(int rows, int blocks) {
    Map<String, Object> columns = columns(rows);
    List<Map<String, Object>> reference = rowsOf(columns);
    Dataset ds = dataset(columns, rows, blocks);

    assertThat(ds.count()).isEqualTo(rows);
    assertThat(ds.takeAll()).isEqualTo(reference);
    assertThat(ds.take(3)).isEqualTo(reference.subList(0, Math.min(3, rows)));
    assertThat(ds.limit(rows / 2 + 1).count()).isEqualTo(Math.min(rows, rows / 2 + 1));

    assertThat(ds.filter(r -> (Long) r.get("key") < 30).takeAll())
        .isEqualTo(reference.stream().filter(r -> (Long) r.get("key") < 30).toList());

    assertThat(ds.map(r -> Map.of("k2", (Long) r.get("key") * 2)).takeAll())
        .isEqualTo(reference.stream().map(r -> Map.of("k2", (Long) r.get("key") * 2)).toList());

    assertThat(ds.flatMap(r -> (Long) r.get("key") % 2 == 0 ? List.of(Map.of("k", r.get("key")),
        Map.of("k", r.get("key"))) : List.<Map<String, Object>>of()).count())
        .isEqualTo(reference.stream().filter(r -> (Long) r.get("key") % 2 == 0).count() * 2);

    assertThat(ds.select("tag", "key").takeAll()).isEqualTo(reference.stream()
        .map(r -> {
          Map<String, Object> m = new java.util.HashMap<>();
          m.put("tag", r.get("tag"));
          m.put("key", r.get("key"));
          return m;
        }).toList());

    assertThat(ds.withColumn("neg", r -> -(Double) r.get("x")).drop("tag", "key").takeAll())
        .isEqualTo(reference.stream()
            .map(r -> Map.of("x", r.get("x"), "neg", -(Double) r.get("x"))).toList());

    double expectedSum = reference.stream().mapToDouble(r -> (Double) r.get("x") * 3).sum();
    Dataset tripled = ds.mapBatches(b -> {
      double[] x = (double[]) b.get("x");
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = x[i] * 3;
      }
      return Map.of("x3", out);
    }, MapBatchesOptions.defaults().withBatchSize(777).withConcurrency(2));
    double sum = tripled.iterBatches(1000)
        .map(b -> java.util.stream.DoubleStream.of((double[]) b.get("x3")).sum())
        .reduce(0.0, Double::sum).block();
    assertThat(sum).isCloseTo(expectedSum, org.assertj.core.data.Offset.offset(1e-6));

    Map<String, Object> batch = ds.takeBatch(10);
    if (rows == 0) {
      assertThat(batch).isEmpty();
    } else {
      assertThat((long[]) batch.get("key"))
          .containsExactly(java.util.Arrays.copyOf((long[]) columns.get("key"),
              Math.min(10, rows)));
    }

    List<String> tags = ds.iterRows().map(r -> String.valueOf(r.get("tag")))
        .collectList().block();
    assertThat(tags).isEqualTo(reference.stream().map(r -> String.valueOf(r.get("tag")))
        .collect(Collectors.toList()));

    assertThat(ds.union(ds).count()).isEqualTo(2L * rows);
  }
}
