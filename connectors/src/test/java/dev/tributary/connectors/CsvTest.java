package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** CSV nulls and empty values, dialect options, and files DuckDB reads and writes. */
class CsvTest extends ArenaTestSupport {
  private static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType FLOAT64 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  private static Schema schema(Field... fields) {
    return new Schema(List.of(fields));
  }

  private Path write(Block block, CsvOptions options) {
    WriteSummary summary = TextSink.csv(dir).options(options)
        .write(Flux.defer(() -> Flux.just(block))).block();
    return summary.files().get(0);
  }

  private List<Map<String, Object>> read(Path file, CsvOptions options, Schema schema) {
    TextSource source = TextSource.csv(List.of(file.toString())).options(options);
    return rowsOf((schema == null ? source : source.schema(schema)).blocks(account));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file);
  }

  @Test
  void emptyStringsAndNullsAreWrittenApartAndReadBackApart() throws IOException {
    Schema schema = schema(AllTypes.field("s", UTF8),
        AllTypes.field("b", ArrowType.Binary.INSTANCE));
    Path file = write(BlockBuilder.in(account)
        .column(schema.getFields().get(0), Arrays.asList(null, "", "a", ""))
        .column(schema.getFields().get(1), Arrays.asList(null, new byte[0], new byte[] {1, 2},
            new byte[0]))
        .build(), CsvOptions.defaults());
    assertThat(lines(file)).containsExactly("s,b", ",", "\"\",\"\"", "a,AQI=", "\"\",\"\"");

    List<Map<String, Object>> rows = read(file, CsvOptions.defaults(), schema);
    assertThat(rows).extracting(r -> r.get("s")).containsExactly(null, "", "a", "");
    assertThat(rows).extracting(r -> r.get("b") == null ? null : ((byte[]) r.get("b")).length)
        .containsExactly(null, 0, 2, 0);
    assertThat(read(file, CsvOptions.defaults(), null)).extracting(r -> r.get("s"))
        .containsExactly(null, "", "a", "");
    // DuckDB keeps them apart too once told not to take "" for its empty null string.
    List<Map<String, Object>> duck = DuckDbText.read("read_csv", file, schema,
        "header=true, allow_quoted_nulls=false");
    assertThat(duck).extracting(r -> r.get("s")).containsExactly(null, "", "a", "");
    assertThat(duck).extracting(r -> r.get("b") == null ? null : ((byte[]) r.get("b")).length)
        .containsExactly(null, 0, 2, 0);
  }

  @Test
  void aOneColumnFileHoldsNullsAsEmptyLines() throws IOException {
    Path file = write(BlockBuilder.in(account).column("s", new String[] {null, "", "a", null})
        .build(), CsvOptions.defaults());
    assertThat(lines(file)).containsExactly("s", "", "\"\"", "a", "");
    assertThat(read(file, CsvOptions.defaults(), null)).extracting(r -> r.get("s"))
        .containsExactly(null, "", "a", null);
    Path duck = dir.resolve("duck.csv");
    DuckDbText.execute("COPY (SELECT * FROM (VALUES (1, NULL), (2, ''), (3, 'a')) t(i, s)"
        + " ORDER BY i) TO " + DuckDbText.literal(duck.toString()) + " (HEADER)",
        "COPY (SELECT s FROM read_csv(" + DuckDbText.literal(duck.toString())
            + ", allow_quoted_nulls=false)) TO " + DuckDbText.literal(dir.resolve("one.csv")
            .toString()) + " (HEADER)");
    assertThat(read(dir.resolve("one.csv"), CsvOptions.defaults(), null))
        .extracting(r -> r.get("s")).containsExactly(null, "", "a");
  }

  @Test
  void duckDbsCsvReadsWithNullsEmptiesAndSpecialValues() {
    Path file = dir.resolve("duck.csv");
    DuckDbText.execute("COPY (SELECT * FROM (VALUES"
        + " (1, NULL, 'nan'::DOUBLE, DATE '1901-02-03', TIMESTAMP '1965-03-04 05:06:07.123456',"
        + "  TIMESTAMPTZ '1965-03-04 05:06:07.5+00', 1.50::DECIMAL(9,2)),"
        + " (2, '', '-inf'::DOUBLE, NULL, NULL, NULL, NULL),"
        + " (3, 'x\"y,z', -0.0::DOUBLE, DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05',"
        + "  TIMESTAMPTZ '2024-01-02 03:04:05.000001+00', -0.05::DECIMAL(9,2)),"
        + " (4, 'two\nlines ünï 😀', 'inf'::DOUBLE, NULL, NULL, NULL, 0::DECIMAL(9,2))"
        + ") t(i, s, d, day, ts, tz, dec) ORDER BY i) TO " + DuckDbText.literal(file.toString())
        + " (HEADER)");
    List<Map<String, Object>> rows = read(file, CsvOptions.defaults(), null);
    assertThat(rows).extracting(r -> r.get("s"))
        .containsExactly(null, "", "x\"y,z", "two\nlines ünï 😀");
    assertThat(rows).extracting(r -> r.get("d")).containsExactly(Double.NaN,
        Double.NEGATIVE_INFINITY, -0.0, Double.POSITIVE_INFINITY);
    assertThat(rows).extracting(r -> r.get("day"))
        .containsExactly(LocalDate.of(1901, 2, 3), null, LocalDate.of(2024, 2, 29), null);
    assertThat(rows).extracting(r -> r.get("ts")).containsExactly(
        LocalDateTime.parse("1965-03-04T05:06:07.123456"), null,
        LocalDateTime.parse("2024-01-02T03:04:05"), null);
    assertThat(rows).extracting(r -> r.get("tz")).containsExactly(
        Instant.parse("1965-03-04T05:06:07.5Z"), null,
        Instant.parse("2024-01-02T03:04:05.000001Z"), null);
    assertThat(rows).extracting(r -> r.get("dec")).containsExactly(1.5, null, -0.05, 0.0);

    Schema decimals = schema(AllTypes.field("i", INT64), AllTypes.field("s", UTF8),
        AllTypes.field("d", FLOAT64), AllTypes.field("day", new ArrowType.Date(DateUnit.DAY)),
        AllTypes.field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
        AllTypes.field("tz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
        AllTypes.field("dec", new ArrowType.Decimal(9, 2, 128)));
    assertThat(read(file, CsvOptions.defaults(), decimals)).extracting(r -> r.get("dec"))
        .containsExactly(new BigDecimal("1.50"), null, new BigDecimal("-0.05"),
            new BigDecimal("0.00"));
  }

  @Test
  void aNullTokenIsWrittenUnquotedAndAStringEqualToItStaysAString() throws IOException {
    CsvOptions options = CsvOptions.defaults().nullValue("NULL");
    Schema schema = schema(AllTypes.field("s", UTF8), AllTypes.field("n", INT64));
    Path file = write(BlockBuilder.in(account)
        .column(schema.getFields().get(0), Arrays.asList(null, "NULL", "", "x"))
        .column(schema.getFields().get(1), Arrays.asList(1L, null, 3L, 4L)).build(), options);
    assertThat(lines(file)).containsExactly("\"s\",\"n\"", "NULL,1", "\"NULL\",NULL", "\"\",3",
        "\"x\",4");
    assertThat(read(file, options, null)).extracting(r -> r.get("s"), r -> r.get("n"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(null, 1L),
            org.assertj.core.groups.Tuple.tuple("NULL", null),
            org.assertj.core.groups.Tuple.tuple("", 3L),
            org.assertj.core.groups.Tuple.tuple("x", 4L));
    assertThat(DuckDbText.read("read_csv", file, schema,
            "header=true, nullstr='NULL', allow_quoted_nulls=false"))
        .isEqualTo(read(file, options, schema));
  }

  @Test
  void sparksBackslashEscapesReadWithEscape() throws IOException {
    // As Spark writes by default: no header, quotes escaped with a backslash, "" for empty.
    Path spark = dir.resolve("part-00000.csv");
    Files.writeString(spark, "1,\"say \\\"hi\\\"\",x\n2,\"\",\n3,\"a,b\",\"c\\\\d\"\n");
    CsvOptions sparkOptions = CsvOptions.defaults().escape('\\').header(false);
    List<Map<String, Object>> rows = read(spark, sparkOptions, null);
    assertThat(rows).extracting(r -> r.get("column0")).containsExactly(1L, 2L, 3L);
    assertThat(rows).extracting(r -> r.get("column1"))
        .containsExactly("say \"hi\"", "", "a,b");
    assertThat(rows).extracting(r -> r.get("column2")).containsExactly("x", null, "c\\d");

    Schema schema = schema(AllTypes.field("s", UTF8));
    List<String> tricky = Arrays.asList("say \"hi\"", "back\\slash", "\\\"", "", null, "\\");
    Path file = write(BlockBuilder.in(account).column(schema.getFields().get(0), tricky).build(),
        CsvOptions.defaults().escape('\\'));
    assertThat(read(file, CsvOptions.defaults().escape('\\'), null))
        .extracting(r -> r.get("s")).containsExactlyElementsOf(tricky);
    assertThat(DuckDbText.read("read_csv", file, schema,
            "header=true, escape='\\', allow_quoted_nulls=false"))
        .extracting(r -> r.get("s")).containsExactlyElementsOf(tricky);
  }

  @Test
  void withoutAHeaderColumnsAreNamedByPositionOrByTheSchema() throws IOException {
    CsvOptions noHeader = CsvOptions.defaults().header(false);
    Schema schema = schema(AllTypes.field("id", INT64), AllTypes.field("name", UTF8));
    Path file = write(BlockBuilder.in(account)
        .column(schema.getFields().get(0), List.of(1L, 2L))
        .column(schema.getFields().get(1), Arrays.asList("a", null)).build(), noHeader);
    assertThat(lines(file)).containsExactly("1,a", "2,");
    assertThat(read(file, noHeader, null)).containsExactly(
        AllTypes.struct("column0", 1L, "column1", "a"),
        AllTypes.struct("column0", 2L, "column1", null));
    List<Map<String, Object>> named = read(file, noHeader, schema);
    assertThat(named).containsExactly(AllTypes.struct("id", 1L, "name", "a"),
        AllTypes.struct("id", 2L, "name", null));
    assertThat(DuckDbText.read("read_csv", file, schema, "header=false")).isEqualTo(named);
  }

  @Test
  void aSchemaMatchesHeaderColumnsByNameAndLeavesTheMissingNull() throws IOException {
    Path file = dir.resolve("some.csv");
    Files.writeString(file, "b,a\nx,1\n");
    Schema schema = schema(AllTypes.field("a", INT64), AllTypes.field("b", UTF8),
        AllTypes.field("c", FLOAT64));
    assertThat(read(file, CsvOptions.defaults(), schema))
        .containsExactly(AllTypes.struct("a", 1L, "b", "x", "c", null));
  }

  @Test
  void otherDelimitersAndQuotesRoundTrip() {
    List<String> values = Arrays.asList("a;b", "it's", "\"q\"", "tab\there", "", null,
        "line\r\nbreak", " padded ");
    Schema schema = schema(AllTypes.field("s", UTF8), AllTypes.field("n", INT64));
    for (CsvOptions options : List.of(CsvOptions.defaults().delimiter(';').quote('\''),
        CsvOptions.defaults().delimiter('\t'), CsvOptions.defaults().delimiter('|'))) {
      Path file = write(BlockBuilder.in(account)
          .column(schema.getFields().get(0), values)
          .column(schema.getFields().get(1), Arrays.asList(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L))
          .build(), options);
      assertThat(read(file, options, null)).as("%s", options).extracting(r -> r.get("s"))
          .containsExactlyElementsOf(values);
      String quote = DuckDbText.literal(String.valueOf(options.quote()));
      assertThat(DuckDbText.read("read_csv", file, schema, "header=true, delim="
              + DuckDbText.literal(String.valueOf(options.delimiter())) + ", quote=" + quote
              + ", escape=" + quote + ", allow_quoted_nulls=false"))
          .as("DuckDB, %s", options).extracting(r -> r.get("s"))
          .containsExactlyElementsOf(values);
      try {
        Files.delete(file);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Test
  void veryLongValuesRoundTripInCsvAndJson() {
    String piece = "q\"uote, new\nline ü😀 ";
    String longValue = piece.repeat((1 << 20) / piece.length()); // about a MiB
    Schema schema = schema(AllTypes.field("s", UTF8));
    List<String> values = Arrays.asList(longValue, "", null, longValue + "!");
    Path csv = write(BlockBuilder.in(account).column(schema.getFields().get(0), values).build(),
        CsvOptions.defaults());
    assertThat(read(csv, CsvOptions.defaults(), null)).extracting(r -> r.get("s"))
        .containsExactlyElementsOf(values);
    assertThat(DuckDbText.read("read_csv", csv, schema, "header=true, allow_quoted_nulls=false"))
        .extracting(r -> r.get("s")).containsExactlyElementsOf(values);
    Path json = TextSink.jsonLines(dir.resolve("json")).write(Flux.defer(() -> Flux.just(
        BlockBuilder.in(account).column(schema.getFields().get(0), values).build()))).block()
        .files().get(0);
    assertThat(rowsOf(TextSource.jsonLines(List.of(json.toString())).blocks(account)))
        .extracting(r -> r.get("s")).containsExactlyElementsOf(values);
    assertThat(DuckDbText.read("read_json", json, schema, "")).extracting(r -> r.get("s"))
        .containsExactlyElementsOf(values);
  }

  @Test
  void malformedQuotingNamesTheLine() throws IOException {
    Path file = dir.resolve("quotes.csv");
    Files.writeString(file, "a,b\n1,\"x\ny\"\n2,\"x\"y\n3,z\n");
    assertThatThrownBy(() -> read(file, CsvOptions.defaults(), null))
        .isInstanceOfSatisfying(CorruptInputException.class,
            e -> assertThat(e.location()).isEqualTo("line 4"))
        .hasMessageContaining("quotes.csv");
  }

  @Test
  void duplicateHeaderNamesAreRefused() throws IOException {
    Path file = dir.resolve("dup.csv");
    Files.writeString(file, "a,b,a\n1,2,3\n");
    assertThatThrownBy(() -> read(file, CsvOptions.defaults(), null))
        .isInstanceOf(CorruptInputException.class).hasMessageContaining("dup.csv")
        .hasMessageContaining("'a'").hasMessageContaining("twice");
    assertThatThrownBy(() -> TextSource.csv(List.of(file.toString())).schema(
            schema(AllTypes.field("a", INT64), AllTypes.field("a", UTF8))))
        .isInstanceOf(ColumnException.class).hasMessageContaining("twice");
  }

  @Test
  void optionsHaveDocumentedDefaultsAndRefuseAmbiguousDialects() throws IOException {
    CsvOptions d = CsvOptions.defaults();
    assertThat(d.delimiter()).isEqualTo(',');
    assertThat(d.quote()).isEqualTo('"');
    assertThat(d.escape()).isNull();
    assertThat(d.nullValue()).isEmpty();
    assertThat(d.header()).isTrue();
    assertThat(d.delimiter(';').delimiter(',')).isEqualTo(d);
    assertThatThrownBy(() -> d.delimiter('"')).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must differ");
    assertThatThrownBy(() -> d.escape(',')).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.delimiter('\n')).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.nullValue("a,b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null token");
    Files.writeString(dir.resolve("a.json"), "{}\n");
    assertThatThrownBy(() -> TextSource.jsonLines(List.of(dir.toString())).options(d))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TextSink.jsonLines(dir).options(d))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
