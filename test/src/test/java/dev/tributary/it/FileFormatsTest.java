package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File formats through the Dataset API: round trips (Parquet, CSV, JSON lines, Arrow IPC),
 * footer-only metadata, governed reads.
 */
class FileFormatsTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("parquet-it")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext context = DataContext.defaults();

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void writeThenReadEqualsTheInput() {
    Dataset source = Tributary.range(10_000, 4).withRuntime(runtime)
        .withColumn("half", r -> (Long) r.get("id") / 2.0)
        .withColumn("tag", r -> (Long) r.get("id") % 3 == 0 ? null : "t" + r.get("id"));
    WriteSummary summary = source.writeParquet(dir.toString());
    assertThat(summary.rows()).isEqualTo(10_000);
    Dataset back = Tributary.readParquet(dir.toString()).withRuntime(runtime);
    assertThat(back.takeAll()).isEqualTo(source.takeAll());
  }

  @Test
  void csvJsonLinesAndArrowRoundTripThroughTheDatasetApi() {
    Dataset source = Tributary.range(2000, 3).withRuntime(runtime)
        .withColumn("half", r -> (Long) r.get("id") / 2.0)
        .withColumn("tag", r -> (Long) r.get("id") % 3 == 0 ? null : "t," + r.get("id"));
    source.writeCsv(dir.resolve("csv").toString());
    source.writeJson(dir.resolve("json").toString());
    List<Map<String, Object>> expected = source.takeAll();
    assertThat(Tributary.readCsv(dir.resolve("csv").toString()).withRuntime(runtime).takeAll())
        .isEqualTo(expected);
    assertThat(Tributary.readJson(dir.resolve("json").toString()).withRuntime(runtime)
        .takeAll()).isEqualTo(expected);
    source.writeArrow(dir.resolve("arrow").toString());
    assertThat(Tributary.readArrow(dir.resolve("arrow").toString()).withRuntime(runtime)
        .takeAll()).isEqualTo(expected);
  }

  /** Rows of dates, timestamps, decimals, small ints, lists and structs, with nulls. */
  private static List<Map<String, Object>> richRows(int n) {
    List<Map<String, Object>> rows = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      boolean nul = i % 4 == 3;
      r.put("id", (long) i);
      r.put("small", nul ? null : (short) (i - 100));
      r.put("day", nul ? null : LocalDate.of(2020, 1, 1).plusDays(i));
      r.put("at", nul ? null : Instant.parse("2020-01-01T00:00:00Z").plusMillis(i * 1001L));
      r.put("local", LocalDateTime.of(2020, 1, 1, 0, 0).plusSeconds(i));
      r.put("price", nul ? null : BigDecimal.valueOf(i * 25L, 2));
      r.put("tags", nul ? null : i % 5 == 0 ? List.of() : Arrays.asList("a" + i, null));
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("x", i * 0.5);
      point.put("label", i % 2 == 0 ? null : "odd");
      r.put("point", nul ? null : point);
      rows.add(r);
    }
    return rows;
  }

  @Test
  void richTypesRoundTripThroughEveryFormatViaTheDatasetApi() {
    List<Map<String, Object>> rows = richRows(3000);
    // Small blocks: governors cut blocks holding nested columns into copies on the way.
    DataContext small = context.withTargetMaxBlockSize(16 * Bytes.KiB);
    Dataset source = Tributary.fromItems(rows).withContext(small);
    assertThat(source.takeAll()).isEqualTo(rows);
    source.writeParquet(dir.resolve("parquet").toString());
    assertThat(Tributary.readParquet(dir.resolve("parquet").toString()).withContext(small)
        .takeAll()).isEqualTo(rows);
    source.writeArrow(dir.resolve("arrow").toString());
    assertThat(Tributary.readArrow(dir.resolve("arrow").toString()).withContext(small)
        .takeAll()).isEqualTo(rows);
    org.apache.arrow.vector.types.pojo.Schema schema = source.schema();
    source.writeJson(dir.resolve("json").toString());
    assertThat(Tributary.readJson(schema, dir.resolve("json").toString()).withContext(small)
        .takeAll()).isEqualTo(rows);
    Dataset flat = source.drop("tags", "point");
    flat.writeCsv(dir.resolve("csv").toString());
    assertThat(Tributary.readCsv(flat.schema(), dir.resolve("csv").toString())
        .withContext(small).takeAll()).isEqualTo(flat.takeAll());
  }

  @Test
  void aParquetFileWrittenByDuckDbReadsWithEveryType() throws Exception {
    Path file = Path.of(getClass().getResource("/peers/duckdb-all-types.parquet").toURI());
    Dataset ds = Tributary.readParquet(file.toString()).withRuntime(runtime);
    assertThat(ds.count()).isEqualTo(50);
    List<Map<String, Object>> rows = ds.takeAll();
    assertThat(rows).hasSize(50);
    for (int i = 0; i < 50; i++) {
      Map<String, Object> r = rows.get(i);
      boolean nul = i % 4 == 3;
      assertThat(r.get("id")).isEqualTo((long) i);
      assertThat(r.get("tiny")).isEqualTo((byte) (i % 7));
      assertThat(r.get("small")).isEqualTo((short) (i * 100 - 2000));
      assertThat(r.get("x")).isEqualTo(nul ? null : i * 1.5);
      assertThat(r.get("tag")).isEqualTo(nul ? null : "tag-" + i);
      assertThat(r.get("d")).isEqualTo(LocalDate.of(2024, 1, 1).plusDays(i));
      assertThat(r.get("ts")).isEqualTo(LocalDateTime.of(2024, 1, 1, 0, 0).plusMinutes(90L * i));
      assertThat(r.get("tstz")).isEqualTo(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(i));
      assertThat(r.get("dec9")).isEqualTo(BigDecimal.valueOf(i, 2));
      assertThat(r.get("dec38"))
          .isEqualTo(BigDecimal.valueOf(i * 1_000_000_007L).setScale(3));
      assertThat(r.get("nums")).isEqualTo(i % 5 == 0 ? List.of() : Arrays.asList((long) i, null,
          i + 1L));
      Map<String, Object> st = new LinkedHashMap<>();
      st.put("a", i);
      st.put("b", i % 2 == 0 ? "even" : null);
      assertThat(r.get("st")).isEqualTo(st);
      assertThat(r.get("list_st")).isEqualTo(i % 3 == 0 ? null : List.of(Map.of("k", "k" + i)));
    }
  }

  @Test
  void aMalformedJsonFileIsSkippedUnderTheContextsAllowanceAndReported() throws Exception {
    java.nio.file.Files.writeString(dir.resolve("a.json"), "{\"n\": 1}\n{\"n\": 2}\n");
    java.nio.file.Files.writeString(dir.resolve("b.json"), "{\"n\": 3}\n{\"n\": \n");
    Dataset lenient = Tributary.readJson(dir.toString())
        .withContext(context.withMaxErroredBlocks(1)).withRuntime(runtime);
    assertThat(lenient.takeAll()).extracting(r -> r.get("n")).containsExactly(1L, 2L);
    dev.tributary.operators.SourceReads reads = lenient.stats().operator("ReadJson").reads();
    assertThat(reads.erroredBlocks()).singleElement().asString().contains("b.json");
    assertThat(reads.fragmentsRead()).isEqualTo(2);
    assertThat(reads.bytesRead()).isEqualTo(java.nio.file.Files.size(dir.resolve("a.json"))
        + java.nio.file.Files.size(dir.resolve("b.json")));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Tributary.readJson(dir.toString()).withRuntime(runtime).takeAll())
        .isInstanceOf(dev.tributary.connectors.CorruptInputException.class)
        .hasMessageContaining("b.json");
  }

  @Test
  void textLinesReadThroughTheDatasetApi() throws java.io.IOException {
    java.nio.file.Files.write(dir.resolve("a.txt"), List.of("alpha", "beta", "gamma"));
    Dataset ds = Tributary.readText(dir.toString()).withRuntime(runtime)
        .filter(r -> ((String) r.get("text")).contains("a"));
    assertThat(ds.count()).isEqualTo(3);
    assertThat(Tributary.readBinaryFiles(dir.toString()).withRuntime(runtime).count())
        .isEqualTo(1);
  }

  @Test
  void countAndSchemaReadOnlyFooters() {
    Tributary.range(5000, 5).withRuntime(runtime)
        .writeParquet(ParquetSink.to(dir).rowsPerFile(1000));
    Dataset ds = Tributary.readParquet(dir.toString()).withRuntime(runtime);
    assertThat(ds.count()).isEqualTo(5000);
    assertThat(ds.schema().getFields()).extracting(f -> f.getName()).containsExactly("id");
    assertThat(ds.stats()).as("no data was read: nothing executed").isNull();
  }

  @Test
  void projectionAndTransformsCompose() {
    Tributary.range(1000, 2).withRuntime(runtime)
        .withColumn("sq", r -> (Long) r.get("id") * (Long) r.get("id"))
        .writeParquet(dir.toString());
    Dataset ds = Tributary.readParquet(ParquetSource.of(List.of(dir.toString()))
            .columns(List.of("sq")))
        .withRuntime(runtime)
        .filter(r -> (Long) r.get("sq") % 2 == 0);
    assertThat(ds.takeAll()).isEqualTo(LongStream.range(0, 1000).map(i -> i * i)
        .filter(v -> v % 2 == 0).mapToObj(v -> Map.<String, Object>of("sq", v)).toList());
  }

  @Test
  void aDatasetTenTimesTheMemoryLimitStreamsUnderTheLimit() {
    // 640 MiB of int64 in files of 8 MiB row groups, read through a 64 MiB arena.
    long rows = 10 * 64 * Bytes.MiB / Long.BYTES;
    try (TributaryRuntime writer = TributaryRuntime.builder().name("writer")
        .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build()) {
      Tributary.range(rows, 80).withRuntime(writer)
          .writeParquet(ParquetSink.to(dir).rowsPerFile(rows / 8));
    }
    arena.resetPeak();
    Dataset ds = Tributary.readParquet(dir.toString()).withRuntime(runtime)
        .mapBatches(b -> b);
    long sum = ds.iterBatches(100_000)
        .map(b -> LongStream.of((long[]) b.get("id")).sum())
        .reduce(0L, Long::sum).block();
    assertThat(sum).isEqualTo(rows * (rows - 1) / 2);
    assertThat(arena.peakBytes()).isLessThanOrEqualTo(arena.limitBytes());
  }
}
