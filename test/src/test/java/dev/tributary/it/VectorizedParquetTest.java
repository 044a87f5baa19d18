package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet page decoder (the default) behind the plain API: seeded random flat tables with
 * nulls, written by DuckDB, read back exactly as generated and exactly as with the decoder off
 * ({@code DataContext.withVectorizedParquet(false)}), with and without pushdown.
 */
class VectorizedParquetTest {
  private static final int ROWS = 3_000;
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("vectorized-parquet")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DuckDb duckDb = new DuckDb();
  @TempDir
  Path dir;

  @AfterEach
  void noLeaks() throws Exception {
    duckDb.close();
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void duckDbWrittenTablesReadAsGeneratedWithTheDecoderOnAndOff() throws Exception {
    for (long seed = 1; seed <= 4; seed++) {
      RandomTables.Table table = RandomTables.generate(seed, RandomTables.Shape.DUCKDB_FLAT,
          ROWS);
      Path in = Files.createDirectories(dir.resolve("t" + seed));
      duckDb.write(table, in.resolve("data.parquet"), "parquet");
      Dataset on = Tributary.readParquet(in.toString()).withRuntime(runtime);
      Dataset off = on.withContext(DataContext.defaults().withVectorizedParquet(false));
      List<Map<String, Object>> read = on.takeAll();
      assertThat(RowDiff.of(table.schema(), table.rows(), read, RowDiff.Tolerance.EXACT))
          .as("seed %d, decoder on", seed).isEmpty();
      assertThat(RowDiff.of(table.schema(), off.takeAll(), read, RowDiff.Tolerance.EXACT))
          .as("seed %d, decoder on vs off", seed).isEmpty();
    }
  }

  @Test
  void pushdownReadsTheSameRowsWithTheDecoderOnAndOff() throws Exception {
    Path file = dir.resolve("groups.parquet");
    duckDb.execute("COPY (SELECT i AS id, CASE WHEN i % 3 = 0 THEN NULL ELSE 'k' || (i % 10)"
        + " END AS s, i / 4.0 AS x FROM range(50000) t(i)) TO '" + file
        + "' (FORMAT parquet, ROW_GROUP_SIZE 10000)");
    Dataset on = Tributary.readParquet(file.toString()).withRuntime(runtime)
        .where(FilterApi.gtEq(FilterApi.longColumn("id"), 37_000L)).select("s", "id");
    Dataset off = on.withContext(DataContext.defaults().withVectorizedParquet(false));
    List<Map<String, Object>> rows = on.takeAll();
    assertThat(rows).hasSize(13_000).isEqualTo(off.takeAll());
    assertThat(rows.get(0)).containsEntry("id", 37_000L).containsEntry("s", "k0");
    assertThat(rows.get(2)).containsEntry("id", 37_002L).containsEntry("s", null);
    assertThat(on.stats().operator("ReadParquet").reads().fragmentsSkipped()).isEqualTo(3);
  }
}
