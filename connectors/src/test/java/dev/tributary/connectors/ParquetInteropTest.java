package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.NanoTime;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Files of other writers: Spark's INT96 timestamps (read as microseconds over the whole range of
 * years, never wrapped) and maps as DuckDB, Spark and Hive write them, read as Arrow maps and
 * written back as standard Parquet that DuckDB reads equal.
 */
class ParquetInteropTest extends ArenaTestSupport {
  private static final ReadSettings SETTINGS = ReadSettings.defaults(128 * Bytes.MiB);
  private static final MessageType SPARK_TIMESTAMPS = MessageTypeParser.parseMessageType(
      "message spark_schema { required int32 id; optional int96 ts; }");

  /** Instants that nanoseconds in a long cannot hold, and the microseconds around the epoch. */
  private static final List<Instant> INSTANTS = Arrays.asList(
      Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999Z"),
      Instant.parse("1969-12-31T23:59:59.999999Z"), Instant.parse("1970-01-01T00:00:00Z"),
      Instant.parse("2262-04-12T00:00:00.000001Z"), null);

  /** An instant as Spark writes it in INT96: the Julian day and the nanoseconds into it. */
  private static NanoTime int96(Instant t) {
    long day = Math.floorDiv(t.getEpochSecond(), 86_400);
    long nanos = Math.floorMod(t.getEpochSecond(), 86_400) * 1_000_000_000L + t.getNano();
    return new NanoTime(Math.toIntExact(day + 2_440_588), nanos);
  }

  /** Writes rows {@code id, ts} as Spark does by default (INT96), nulls where a value is. */
  private Path sparkTimestamps(String name, List<NanoTime> values) throws IOException {
    Path file = dir.resolve(name);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(SPARK_TIMESTAMPS).build()) {
      SimpleGroupFactory groups = new SimpleGroupFactory(SPARK_TIMESTAMPS);
      for (int i = 0; i < values.size(); i++) {
        Group g = groups.newGroup().append("id", i);
        if (values.get(i) != null) {
          g.append("ts", values.get(i).toBinary());
        }
        writer.write(g);
      }
    }
    return file;
  }

  private List<Map<String, Object>> read(Path file) {
    return rowsOf(ParquetSource.of(List.of(file.toString())).blocks(account, SETTINGS,
        new ReadStats()));
  }

  @Test
  void int96TimestampsReadAsMicrosecondsFromYearOneToYear9999AsDuckDbReadsThem()
      throws IOException {
    Path file = sparkTimestamps("spark.parquet",
        INSTANTS.stream().map(t -> t == null ? null : int96(t)).toList());
    assertThat(ParquetSource.of(List.of(file.toString())).schema().findField("ts").getType())
        .isEqualTo(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
    assertThat(read(file)).extracting(r -> r.get("ts")).containsExactlyElementsOf(INSTANTS);
    assertThat(DuckDbParquet.rows("SELECT epoch_us(ts) FROM read_parquet('" + file
        + "') ORDER BY id")).extracting(r -> r.get(0)).containsExactlyElementsOf(
        INSTANTS.stream().map(t -> t == null ? null
            : t.getEpochSecond() * 1_000_000 + t.getNano() / 1000).toList());
  }

  @Test
  void int96DigitsBelowAMicrosecondAreDroppedAsSparkAndArrowDo() throws IOException {
    Instant t = Instant.parse("2000-01-01T00:00:00.000001999Z");
    Path file = sparkTimestamps("ns.parquet", List.of(int96(t)));
    assertThat(read(file).get(0).get("ts"))
        .isEqualTo(Instant.parse("2000-01-01T00:00:00.000001Z"));
  }

  @Test
  void anInt96ValueMicrosecondsCannotHoldFailsTypedNamingFileColumnAndRowGroup()
      throws IOException {
    Path file = sparkTimestamps("far.parquet",
        List.of(int96(Instant.EPOCH), new NanoTime(-1, 0))); // Julian day 2^32 - 1
    StepVerifier.create(ParquetSource.of(List.of(file.toString()))
            .blocks(account, SETTINGS, new ReadStats()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(
            CorruptInputException.class, c -> {
              assertThat(c.file()).isEqualTo(file);
              assertThat(c.location()).isEqualTo("row group 0, column ts");
            }).hasMessageContaining("INT96").hasMessageContaining("4294967295"))
        .verify(Duration.ofSeconds(30));
  }

  /** The Parquet type of column {@code name} in the one file of {@code directory}. */
  private static PrimitiveType writtenType(Path directory, String name) throws IOException {
    Path file = ParquetSource.of(List.of(directory.toString())).files().get(0);
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getFooter().getFileMetaData().getSchema().getType(name).asPrimitiveType();
    }
  }

  @Test
  void int96ColumnsWriteBackAsTimestampMicrosAndNanosecondColumnsAsNanos() throws IOException {
    Path file = sparkTimestamps("spark.parquet",
        INSTANTS.stream().map(t -> t == null ? null : int96(t)).toList());
    Path out = dir.resolve("out");
    ParquetSink.to(out).write(ParquetSource.of(List.of(file.toString()))
        .blocks(account, SETTINGS, new ReadStats())).block(Duration.ofSeconds(30));
    assertThat(writtenType(out, "ts").getLogicalTypeAnnotation()).isEqualTo(
        LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
    assertThat(DuckDbParquet.rows("SELECT a.id FROM read_parquet('" + file + "') a JOIN"
        + " read_parquet('" + out + "/*.parquet') b ON a.id = b.id"
        + " WHERE a.ts IS NOT DISTINCT FROM b.ts")).hasSize(INSTANTS.size());

    Field ns = new Field("ns", FieldType.nullable(new ArrowType.Timestamp(TimeUnit.NANOSECOND,
        "UTC")), null);
    Path nanos = dir.resolve("nanos");
    Instant t = Instant.parse("2024-02-29T12:00:00.123456789Z");
    ParquetSink.to(nanos).write(Flux.defer(() -> Flux.just(BlockBuilder.in(account)
        .column(ns, Arrays.asList(t, null)).build()))).block(Duration.ofSeconds(30));
    assertThat(writtenType(nanos, "ns").getLogicalTypeAnnotation()).isEqualTo(
        LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.NANOS));
    assertThat(read(ParquetSource.of(List.of(nanos.toString())).files().get(0)))
        .extracting(r -> r.get("ns")).containsExactly(t, null);
  }

  /** Writes DuckDB's MAP(VARCHAR, INTEGER): entries with a null value, empty maps, null maps. */
  private Path duckDbMaps() {
    Path file = dir.resolve("maps.parquet");
    DuckDbParquet.execute("COPY (SELECT i AS id, CASE i % 4"
        + " WHEN 0 THEN MAP {'a': i::INTEGER, 'b': NULL::INTEGER}"
        + " WHEN 1 THEN MAP([], [])::MAP(VARCHAR, INTEGER) WHEN 2 THEN NULL"
        + " ELSE MAP {'k' || i: -i::INTEGER} END AS m,"
        + " {'tags': MAP {'x': i::INTEGER}} AS st FROM range(8) t(i))"
        + " TO '" + file + "' (FORMAT parquet)");
    return file;
  }

  private static Map<String, Object> entry(String key, Integer value) {
    return AllTypes.struct("key", key, "value", value);
  }

  @Test
  void mapsReadAsArrowMapsWhoseRowsAreListsOfKeyValueEntries() {
    Path file = duckDbMaps();
    Field m = ParquetSource.of(List.of(file.toString())).schema().findField("m");
    assertThat(m.getType()).isEqualTo(new ArrowType.Map(false));
    assertThat(m.toString()).isEqualTo(
        "m: Map(false)<entries: Struct<key: Utf8 not null, value: Int(32, true)> not null>");
    List<Map<String, Object>> rows = read(file);
    assertThat(rows).extracting(r -> r.get("m")).containsExactly(
        List.of(entry("a", 0), entry("b", null)), List.of(), null, List.of(entry("k3", -3)),
        List.of(entry("a", 4), entry("b", null)), List.of(), null, List.of(entry("k7", -7)));
    assertThat(rows.get(5).get("st")).isEqualTo(
        AllTypes.struct("tags", List.of(entry("x", 5))));

    List<Object> values = rows.stream().map(r -> r.get("m")).toList();
    try (Block built = BlockBuilder.in(account).column(m, values).build()) {
      assertThat(built.schema().getFields()).as("the same Java values build a map column")
          .containsExactly(m);
      assertThat(Arrays.asList(ColumnReader.values(built, "m"))).isEqualTo(values);
    }
  }

  @Test
  void mapsWriteBackAsStandardParquetMapsThatDuckDbReadsEqual() throws IOException {
    Path file = duckDbMaps();
    Path out = dir.resolve("out");
    ParquetSink.to(out).write(ParquetSource.of(List.of(file.toString()))
        .blocks(account, SETTINGS, new ReadStats())).block(Duration.ofSeconds(30));
    Path written = ParquetSource.of(List.of(out.toString())).files().get(0);
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(written))) {
      assertThat(reader.getFooter().getFileMetaData().getSchema().getType("m").toString())
          .isEqualTo("optional group m (MAP) {\n  repeated group key_value {\n"
              + "    required binary key (STRING);\n    optional int32 value;\n  }\n}");
    }
    String query = "SELECT id, m::VARCHAR, st::VARCHAR, cardinality(m) FROM read_parquet('%s')"
        + " ORDER BY id";
    List<List<Object>> expected = DuckDbParquet.rows(String.format(query, file));
    assertThat(expected).hasSize(8);
    assertThat(DuckDbParquet.rows(String.format(query, written))).isEqualTo(expected);
    assertThat(read(written)).isEqualTo(read(file));
  }

  @Test
  void legacyHiveMapsReadAndMapsWithNullableKeysAreRefusedByName() throws IOException {
    MessageType hive = MessageTypeParser.parseMessageType("message hive_schema {"
        + " optional group m (MAP_KEY_VALUE) { repeated group map {"
        + " required binary key (UTF8); optional int32 value; } } }");
    Path file = dir.resolve("hive.parquet");
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(hive).build()) {
      Group g = new SimpleGroupFactory(hive).newGroup();
      Group map = g.addGroup("m");
      map.addGroup("map").append("key", "one").append("value", 1);
      map.addGroup("map").append("key", "none");
      writer.write(g);
    }
    assertThat(read(file)).extracting(r -> r.get("m"))
        .containsExactly(List.of(entry("one", 1), entry("none", null)));

    MessageType nullableKeys = MessageTypeParser.parseMessageType("message odd {"
        + " optional group m (MAP) { repeated group key_value {"
        + " optional binary key (STRING); optional int32 value; } } }");
    Path odd = dir.resolve("odd.parquet");
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(odd))
        .withType(nullableKeys).build()) {
      writer.write(new SimpleGroupFactory(nullableKeys).newGroup());
    }
    assertThatThrownBy(() -> ParquetSource.of(List.of(odd.toString())).schema())
        .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column())
            .isEqualTo("m")).hasMessageContaining("odd.parquet");
  }
}
