package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** JSON lines: exact numbers, missing fields, inferred columns, lines named in errors. */
class JsonLinesTest extends ArenaTestSupport {
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
  private static final ArrowType FLOAT32 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  private static final ArrowType FLOAT64 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  private static Schema schema(Field... fields) {
    return new Schema(List.of(fields));
  }

  private Path file(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  private List<Map<String, Object>> read(TextSource source) {
    return rowsOf(source.blocks(account));
  }

  private List<Map<String, Object>> read(Path file, Schema schema) {
    TextSource source = TextSource.jsonLines(List.of(file.toString()));
    return read(schema == null ? source : source.schema(schema));
  }

  private List<Field> fieldsOf(TextSource source) {
    List<Field> fields = new ArrayList<>();
    source.blocks(account).take(1).doOnNext(b -> {
      try (b) {
        fields.addAll(b.schema().getFields());
      }
    }).blockLast();
    return fields;
  }

  @Test
  void negativeZeroNaNAndInfinitiesRoundTrip() throws IOException {
    Schema schema = schema(AllTypes.field("f", FLOAT32), AllTypes.field("d", FLOAT64));
    List<Object> floats = Arrays.asList(-0.0f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 0.1f, Float.MIN_VALUE, null);
    List<Object> doubles = Arrays.asList(-0.0, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, 0.1, Double.MIN_VALUE, null);
    Path file = TextSink.jsonLines(dir).write(Flux.defer(() -> Flux.just(BlockBuilder.in(account)
        .column(schema.getFields().get(0), floats)
        .column(schema.getFields().get(1), doubles).build()))).block().files().get(0);
    // NaN and infinities unquoted, as DuckDB and Python write them.
    assertThat(Files.readAllLines(file).subList(0, 2)).containsExactly(
        "{\"f\":-0.0,\"d\":-0.0}", "{\"f\":NaN,\"d\":NaN}");

    List<Map<String, Object>> given = read(file, schema);
    assertThat(given).extracting(r -> r.get("f")).containsExactlyElementsOf(floats);
    assertThat(given).extracting(r -> r.get("d")).containsExactlyElementsOf(doubles);
    assertThat(read(file, null)).extracting(r -> r.get("d")).containsExactlyElementsOf(doubles);
    assertThat(DuckDbText.read("read_json", file, schema, "")).isEqualTo(given);
  }

  @Test
  void readsItsOwnOutputOfEveryTypeWithInferredTypes() {
    List<AllTypes.Column> columns = AllTypes.columns(7);
    TextSink.jsonLines(dir).write(Flux.defer(() -> Flux.just(
        AllTypes.block(account, columns, 0, 60)))).block();
    TextSource source = TextSource.jsonLines(List.of(dir.toString()));
    Map<String, ArrowType> types = new java.util.HashMap<>();
    fieldsOf(source).forEach(f -> types.put(f.getName(), f.getType()));
    assertThat(types.get("ts_ns_utc")).isEqualTo(
        new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC"));
    assertThat(types.get("ts_us_utc")).isEqualTo(
        new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
    assertThat(types.get("utf8")).isEqualTo(UTF8);
    List<Map<String, Object>> rows = read(source);
    assertThat(rows).hasSize(60);
    List<String> exact = List.of("id", "i64", "f64", "bool", "utf8", "date", "ts_us_utc",
        "ts_ms", "ts_ns_utc", "list_i64", "list_utf8", "struct", "list_struct");
    for (int i = 0; i < rows.size(); i++) {
      for (AllTypes.Column col : columns) {
        String name = col.field().getName();
        Object expected = col.field().isNullable() && i % 4 == 3 ? null : col.value().apply(i);
        Object actual = rows.get(i).get(name);
        if (exact.contains(name)) {
          assertThat(actual).as("row %d %s", i, name).isEqualTo(expected);
        } else if (expected instanceof BigDecimal d) {
          assertThat(actual).as("row %d %s", i, name).isEqualTo(d.doubleValue());
        } else if (expected instanceof Number n) {
          assertThat(((Number) actual).doubleValue()).as("row %d %s", i, name)
              .isEqualTo(n.doubleValue());
        } else if (expected == null) {
          assertThat(actual).as("row %d %s", i, name).isNull();
        }
      }
    }
  }

  @Test
  void errorsNameTheLineOfTheRowAndTheColumn() throws IOException {
    Path file = file("lines.json",
        "{\"a\": 1, \"b\": \"x\"}",
        "",
        "{\"a\": 2,",
        " \"b\": \"y\"}",
        "{\"a\": \"three\", \"b\": \"z\"}",
        "{\"a\": 4, \"b\": \"w\"}");
    Schema schema = schema(AllTypes.field("a", INT64), AllTypes.field("b", UTF8));
    assertThatThrownBy(() -> read(file, schema))
        .isInstanceOfSatisfying(CorruptInputException.class,
            e -> assertThat(e.location()).isEqualTo("line 5, column a"))
        .hasMessageContaining("'three'");
    // Inferred, the mixed column is utf8 and numbers keep their JSON text.
    assertThat(read(file, null)).extracting(r -> r.get("a"))
        .containsExactly("1", "2", "three", "4");

    Path unknown = file("unknown.json", "{\"a\": 1}", "{\"a\": 2,", "\"c\": 3}");
    assertThatThrownBy(() -> read(unknown, schema))
        .isInstanceOfSatisfying(CorruptInputException.class,
            e -> assertThat(e.location()).isEqualTo("line 2"))
        .hasMessageContaining("'c'").hasMessageContaining("not in the given schema");

    Path malformed = file("malformed.json", "{\"a\": 1}", "{\"a\": 2,", "\"b\": oops}",
        "{\"a\": 4}");
    assertThatThrownBy(() -> read(malformed, null))
        .isInstanceOfSatisfying(CorruptInputException.class,
            e -> assertThat(e.location()).isEqualTo("line 3"));
    Path duplicate = file("duplicate.json", "{\"a\": 1}", "{\"a\": 2, \"a\": 3}");
    assertThatThrownBy(() -> read(duplicate, null))
        .isInstanceOfSatisfying(CorruptInputException.class,
            e -> assertThat(e.location()).isEqualTo("line 2"))
        .hasMessageContaining("Duplicate field 'a'");
  }

  @Test
  void aDirectoryReadTakesJsonlAndJsonFiles() throws IOException {
    file("a.jsonl", "{\"n\": 1}");
    file("b.json", "{\"n\": 2}");
    file("c.csv", "n\n3");
    TextSource source = TextSource.jsonLines(List.of(dir.toString()));
    assertThat(source.files()).extracting(p -> p.getFileName().toString())
        .containsExactly("a.jsonl", "b.json");
    assertThat(read(source)).extracting(r -> r.get("n")).containsExactly(1L, 2L);
  }

  @Test
  void objectsMayLeaveFieldsOutAsSparkWritesThem() throws IOException {
    // Spark drops null fields from its JSON output by default.
    Path file = file("part-00000.json", "{\"id\":1,\"name\":\"a\"}", "{\"id\":2}",
        "{\"dec\":1.5,\"name\":\"c\",\"id\":3}");
    Schema schema = schema(AllTypes.field("id", INT64), AllTypes.field("name", UTF8),
        AllTypes.field("dec", new ArrowType.Decimal(9, 2, 128)));
    List<Map<String, Object>> rows = read(file, schema);
    assertThat(rows).containsExactly(AllTypes.struct("id", 1L, "name", "a", "dec", null),
        AllTypes.struct("id", 2L, "name", null, "dec", null),
        AllTypes.struct("id", 3L, "name", "c", "dec", new BigDecimal("1.50")));
    assertThat(read(file, null)).containsExactly(
        AllTypes.struct("id", 1L, "name", "a", "dec", null),
        AllTypes.struct("id", 2L, "name", null, "dec", null),
        AllTypes.struct("id", 3L, "name", "c", "dec", 1.5));
    assertThat(DuckDbText.read("read_json", file, schema, "")).isEqualTo(rows);
  }

  @Test
  void inferredColumnsAreTheFieldsOfTheFirstBlockAndALaterFieldFailsByName()
      throws IOException {
    Path file = file("late.json", "{\"a\": 1}", "{\"a\": 2, \"b\": \"x\"}", "{\"c\": true}",
        "{\"a\": 4}", "{\"a\": 5, \"d\": 1}");
    assertThat(read(TextSource.jsonLines(List.of(file.toString())).rowsPerBlock(10)))
        .extracting(r -> r.keySet().toString()).containsOnly("[a, b, c, d]");
    TextSource threeRows = TextSource.jsonLines(List.of(file.toString())).rowsPerBlock(3);
    List<Map<String, Object>> first = new ArrayList<>();
    assertThatThrownBy(() -> threeRows.blocks(account).doOnNext(b -> {
      try (b) {
        first.addAll(AllTypes.rows(List.of(b)));
      }
    }).blockLast())
        .isInstanceOfSatisfying(CorruptInputException.class, e -> {
          assertThat(e.file()).isEqualTo(file);
          assertThat(e.location()).isEqualTo("line 5");
        })
        .hasMessageContaining("'d'").hasMessageContaining("after the first block");
    assertThat(first).containsExactly(AllTypes.struct("a", 1L, "b", null, "c", null),
        AllTypes.struct("a", 2L, "b", "x", "c", null),
        AllTypes.struct("a", null, "b", null, "c", true));
  }

  @Test
  void jsonStringsKeepTheirTextAndNonFiniteStringsJoinNumbers() throws IOException {
    Path file = file("strings.json", "{\"zip\": \"01234\", \"flag\": \"true\", \"x\": 1.5}",
        "{\"zip\": \"NaN\", \"flag\": \"false\", \"x\": \"NaN\"}",
        "{\"zip\": \"1e3\", \"flag\": null, \"x\": \"-Infinity\"}");
    assertThat(read(file, null)).containsExactly(
        AllTypes.struct("zip", "01234", "flag", "true", "x", 1.5),
        AllTypes.struct("zip", "NaN", "flag", "false", "x", Double.NaN),
        AllTypes.struct("zip", "1e3", "flag", null, "x", Double.NEGATIVE_INFINITY));
  }

  @Test
  void integersBeyondInt64FailTypedUnlessReadAsDecimals() throws IOException {
    Path file = file("big.json", "{\"n\": 1}", "{\"n\": 123456789012345678901234567890}");
    assertThatThrownBy(() -> read(file, null)).isInstanceOf(CorruptInputException.class)
        .hasMessageContaining("big.json").hasMessageContaining("column n");
    assertThat(read(file, schema(AllTypes.field("n", new ArrowType.Decimal(38, 0, 128)))))
        .extracting(r -> r.get("n")).containsExactly(BigDecimal.ONE,
            new BigDecimal("123456789012345678901234567890"));
  }

  @Test
  void duckDbsJsonReadsWithEveryValueKept() {
    Path file = dir.resolve("duck.json");
    DuckDbText.execute("COPY (SELECT * FROM (VALUES"
        + " (1, 'nan'::DOUBLE, -0.0::DOUBLE, 1.50::DECIMAL(9,2), DATE '1901-02-03',"
        + "  '2001-01-01 00:00:00.000000001'::TIMESTAMP_NS,"
        + "  TIMESTAMPTZ '1965-03-04 05:06:07.123456+00', [1, NULL, 3], {'k': 'v'}, ''),"
        + " (2, 'inf'::DOUBLE, 1e300, NULL, NULL, NULL, NULL, [], NULL, 'a\"b\nc ü')"
        + ") t(i, d, z, dec, day, ns, tz, xs, st, s) ORDER BY i) TO "
        + DuckDbText.literal(file.toString()));
    List<Map<String, Object>> rows = read(file, null);
    assertThat(rows.get(0)).containsEntry("d", Double.NaN).containsEntry("z", -0.0)
        .containsEntry("dec", 1.5).containsEntry("day", LocalDate.of(1901, 2, 3))
        .containsEntry("ns", LocalDateTime.parse("2001-01-01T00:00:00.000000001"))
        .containsEntry("tz", Instant.parse("1965-03-04T05:06:07.123456Z"))
        .containsEntry("xs", Arrays.asList(1L, null, 3L))
        .containsEntry("st", AllTypes.struct("k", "v")).containsEntry("s", "");
    assertThat(rows.get(1)).containsEntry("d", Double.POSITIVE_INFINITY)
        .containsEntry("z", 1e300).containsEntry("xs", List.of())
        .containsEntry("s", "a\"b\nc ü").containsEntry("dec", null);
    Schema decimals = schema(AllTypes.field("i", INT64),
        AllTypes.field("dec", new ArrowType.Decimal(9, 2, 128)));
    assertThat(DuckDbText.read("read_json", file, decimals, "")).extracting(r -> r.get("dec"))
        .containsExactly(new BigDecimal("1.50"), null);
  }
}
