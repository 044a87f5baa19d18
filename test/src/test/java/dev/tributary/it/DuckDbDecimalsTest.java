package dev.tributary.it;

import static dev.tributary.expr.Expr.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.aggregate.Aggregate;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB writes {@code i * 0.5} as a DECIMAL column: the first things a user types on such a
 * file (an expression, a sum, {@code batch.doubles}) read it as float64 instead of refusing it.
 */
class DuckDbDecimalsTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("duckdb-decimals")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  @TempDir
  Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private Dataset duckDbFile() throws Exception {
    Path file = dir.resolve("d.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("COPY (SELECT i AS id, CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 7) * 1.5 - 3 END"
          + " AS x, i % 4 AS k FROM range(1000) t(i)) TO '" + file + "' (FORMAT parquet)");
    }
    return Tributary.readParquet(file.toString()).withRuntime(runtime);
  }

  /** x of row i as DuckDB computes it, null every tenth row. */
  private static Double x(long i) {
    return i % 10 == 0 ? null : (i % 7) * 1.5 - 3;
  }

  @Test
  void expressionsAggregatesAndBatchesReadDecimalsAsDoubles() throws Exception {
    Dataset ds = duckDbFile();
    assertThat(ds.schema().findField("x").getType().toString()).startsWith("Decimal");

    List<Map<String, Object>> rows = ds.withColumn("z", col("x").times(2))
        .filter(col("z").gt(0)).select(col("id"), col("z")).takeAll();
    List<Long> expected = new java.util.ArrayList<>();
    for (long i = 0; i < 1000; i++) {
      if (x(i) != null && x(i) * 2 > 0) {
        expected.add(i);
      }
    }
    assertThat(rows).extracting(r -> (Long) r.get("id")).containsExactlyElementsOf(expected);
    assertThat(rows).allSatisfy(r ->
        assertThat((Double) r.get("z")).isEqualTo(x((Long) r.get("id")) * 2));

    double sum = 0;
    for (long i = 0; i < 1000; i++) {
      sum += x(i) == null ? 0 : x(i);
    }
    assertThat(ds.sum("x").doubleValue()).isEqualTo(sum);
    assertThat(ds.groupBy("k").aggregate(Aggregate.mean("x")).count()).isEqualTo(4);

    List<Map<String, Object>> doubled = ds.mapBatches(b -> Map.of("id", b.get("id"),
        "x2", Arrays.stream(b.doubles("x")).map(v -> v * 2).toArray())).takeAll();
    assertThat(doubled).allSatisfy(r -> {
      Double v = x((Long) r.get("id"));
      // A null row reads as NaN (ColumnBatch.nulls tells them apart); boxed, NaN equals NaN.
      assertThat(r.get("x2")).isEqualTo(Double.valueOf(v == null ? Double.NaN : v * 2));
    });
  }
}
