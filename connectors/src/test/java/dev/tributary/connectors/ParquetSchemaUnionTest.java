package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A source whose files disagree: their schemas are unified from the footers (exact widening,
 * missing columns as nulls, nullable where any file is) or refused naming both files, and every
 * block comes in the unified schema; checked against DuckDB's {@code union_by_name} read.
 */
class ParquetSchemaUnionTest extends ArenaTestSupport {
  private static final ReadSettings SETTINGS = ReadSettings.defaults(128 * Bytes.MiB);
  private static final ArrowType INT8 = new ArrowType.Int(8, true);
  private static final ArrowType INT16 = new ArrowType.Int(16, true);
  private static final ArrowType INT32 = new ArrowType.Int(32, true);
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType FLOAT32 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  private static final ArrowType FLOAT64 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  private static Schema schema(ArrowType type) {
    return new Schema(List.of(Field.notNullable("c", type)));
  }

  /** The unified type of column {@code c} typed {@code a} in one file and {@code b} in another. */
  private static ArrowType unified(ArrowType a, ArrowType b) {
    return SchemaUnion.of(List.of(Path.of("a.parquet"), Path.of("b.parquet")),
        List.of(schema(a), schema(b)), null).schema().getFields().get(0).getType();
  }

  @Test
  void flatColumnsWidenOnlyWhereEveryValueConvertsExactly() {
    assertThat(unified(INT8, INT16)).isEqualTo(INT16);
    assertThat(unified(INT32, INT8)).isEqualTo(INT32);
    assertThat(unified(INT16, INT64)).isEqualTo(INT64);
    assertThat(unified(FLOAT32, FLOAT64)).isEqualTo(FLOAT64);
    assertThat(unified(INT16, FLOAT32)).isEqualTo(FLOAT32);
    assertThat(unified(INT32, FLOAT32)).as("int32 does not fit float32").isEqualTo(FLOAT64);
    assertThat(unified(INT32, FLOAT64)).isEqualTo(FLOAT64);
    for (ArrowType[] refused : new ArrowType[][] {{INT64, FLOAT64}, {INT64, FLOAT32},
        {INT64, ArrowType.Utf8.INSTANCE}, {ArrowType.Utf8.INSTANCE, ArrowType.Binary.INSTANCE},
        {new ArrowType.Date(DateUnit.DAY), INT32}}) {
      assertThatThrownBy(() -> unified(refused[0], refused[1])).as("%s", List.of(refused))
          .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column())
              .isEqualTo("c"))
          .hasMessageContaining("a.parquet").hasMessageContaining("b.parquet")
          .hasMessageContaining(refused[0].toString())
          .hasMessageContaining(refused[1].toString());
    }
  }

  @Test
  void nestedColumnsMustAgreeExceptForTheirOwnNullability() {
    Field ints = new Field("l", FieldType.notNullable(ArrowType.List.INSTANCE),
        List.of(Field.nullable(ParquetSchemas.ITEM, INT32)));
    Field nullableInts = new Field("l", FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(Field.nullable(ParquetSchemas.ITEM, INT32)));
    Field longs = new Field("l", FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(Field.nullable(ParquetSchemas.ITEM, INT64)));
    List<Path> files = List.of(Path.of("a.parquet"), Path.of("b.parquet"));
    assertThat(SchemaUnion.of(files, List.of(new Schema(List.of(ints)),
        new Schema(List.of(nullableInts))), null).schema().getFields())
        .containsExactly(nullableInts);
    assertThatThrownBy(() -> SchemaUnion.of(files, List.of(new Schema(List.of(ints)),
        new Schema(List.of(longs))), null))
        .isInstanceOf(ColumnException.class).hasMessageContaining("Int(32, true)")
        .hasMessageContaining("Int(64, true)");
  }

  @Test
  void filesThatDisagreeOnAColumnAreRefusedBeforeAnyRowNamingBothFilesAndTypes() {
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    DuckDbParquet.execute(
        "COPY (SELECT range AS id FROM range(3)) TO '" + a + "' (FORMAT parquet)",
        "COPY (SELECT 'x' || range AS id FROM range(3)) TO '" + b + "' (FORMAT parquet)");
    ParquetSource source = ParquetSource.of(List.of(dir.toString()));
    java.util.function.Consumer<Throwable> namesBoth = e -> assertThat(e)
        .isInstanceOfSatisfying(ColumnException.class, c -> assertThat(c.column())
            .isEqualTo("id"))
        .hasMessageContaining(a.toString()).hasMessageContaining(b.toString())
        .hasMessageContaining("Int(64, true)").hasMessageContaining("Utf8");
    assertThatThrownBy(source::schema).satisfies(namesBoth::accept);
    StepVerifier.create(source.blocks(account, SETTINGS, new ReadStats()))
        .expectErrorSatisfies(namesBoth)
        .verify(Duration.ofSeconds(30));
  }

  /**
   * a: id int32, x float32, s utf8 (DuckDB); b: id int64, x float64, d date (DuckDB); c: id
   * int16 and x float32, both required (parquet-mr).
   */
  private List<Path> disagreeingFiles() throws IOException {
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    Path c = dir.resolve("c.parquet");
    DuckDbParquet.execute(
        "COPY (SELECT i::INTEGER AS id, (i / 4)::FLOAT AS x,"
            + " CASE WHEN i % 2 = 0 THEN 's' || i END AS s FROM range(0, 5) t(i))"
            + " TO '" + a + "' (FORMAT parquet)",
        "COPY (SELECT i::BIGINT * 1000000000000 AS id, i / 3 AS x,"
            + " DATE '2024-02-27' + i::INTEGER AS d FROM range(5, 9) t(i))"
            + " TO '" + b + "' (FORMAT parquet)");
    MessageType narrow = MessageTypeParser.parseMessageType(
        "message c { required int32 id (INTEGER(16,true)); required float x; }");
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(c))
        .withType(narrow).build()) {
      SimpleGroupFactory groups = new SimpleGroupFactory(narrow);
      for (int i = 0; i < 3; i++) {
        writer.write(groups.newGroup().append("id", -32768 + i).append("x", 0.1f * i));
      }
    }
    return List.of(a, b, c);
  }

  @Test
  void disagreeingFilesReadInTheUnifiedSchemaAsDuckDbUnionsThemByName() throws IOException {
    List<Path> files = disagreeingFiles();
    ParquetSource source = ParquetSource.of(List.of(dir.toString()));
    Schema expected = new Schema(List.of(Field.nullable("id", INT64),
        Field.nullable("x", FLOAT64), Field.nullable("s", ArrowType.Utf8.INSTANCE),
        Field.nullable("d", new ArrowType.Date(DateUnit.DAY))));
    assertThat(source.schema()).isEqualTo(expected);

    List<Block> blocks = new ArrayList<>();
    source.blocks(account, SETTINGS, new ReadStats()).doOnNext(blocks::add)
        .blockLast(Duration.ofSeconds(30));
    List<Map<String, Object>> rows;
    try {
      assertThat(blocks).hasSize(3).allSatisfy(b -> assertThat(b.schema()).isEqualTo(expected));
      rows = new ArrayList<>(AllTypes.rows(blocks));
    } finally {
      blocks.forEach(Block::close);
    }
    rows.sort(Comparator.comparing(r -> (Long) r.get("id")));

    List<List<Object>> duck = DuckDbParquet.rows("SELECT id, x, s, d FROM read_parquet(["
        + String.join(", ", files.stream().map(f -> "'" + f + "'").toList())
        + "], union_by_name = true) ORDER BY id");
    assertThat(rows).hasSize(duck.size()).hasSize(12);
    for (int i = 0; i < rows.size(); i++) {
      List<Object> d = duck.get(i);
      Map<String, Object> r = rows.get(i);
      assertThat(r.get("id")).as("row %d", i).isEqualTo(d.get(0));
      assertThat(r.get("x")).as("row %d", i).isEqualTo(d.get(1));
      assertThat(r.get("s")).as("row %d", i).isEqualTo(d.get(2));
      assertThat(r.get("d")).as("row %d", i).isEqualTo(d.get(3));
    }
    assertThat(rows.get(0)).containsEntry("id", -32768L).containsEntry("x", 0.0)
        .containsEntry("s", null);
    assertThat(rows.get(2).get("x")).as("float32 0.2f widened exactly")
        .isEqualTo((double) 0.2f);
  }

  @Test
  void aProjectedColumnSomeFilesLackReadsAsNullsThereAndOneNoFileHasIsRefused()
      throws IOException {
    disagreeingFiles();
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).columns(List.of("d", "s"));
    assertThat(source.schema().getFields()).extracting(Field::getName).containsExactly("d", "s");
    List<Map<String, Object>> rows = rowsOf(source.blocks(account, SETTINGS, new ReadStats()));
    assertThat(rows).hasSize(12);
    assertThat(rows.subList(0, 5)).allSatisfy(r -> assertThat(r.get("d")).isNull());
    assertThat(rows.subList(5, 9)).extracting(r -> r.get("d").toString())
        .containsExactly("2024-03-03", "2024-03-04", "2024-03-05", "2024-03-06");
    assertThat(rows.subList(9, 12)).as("c has neither column: all nulls")
        .allSatisfy(r -> assertThat(r).containsEntry("d", null).containsEntry("s", null));

    ParquetSource nowhere = ParquetSource.of(List.of(dir.toString())).columns(List.of("nope"));
    assertThatThrownBy(nowhere::schema).isInstanceOfSatisfying(ColumnException.class,
        e -> assertThat(e.column()).isEqualTo("nope")).hasMessageContaining("a.parquet");
    StepVerifier.create(nowhere.blocks(account, SETTINGS, new ReadStats()))
        .expectError(ColumnException.class)
        .verify(Duration.ofSeconds(30));
  }

  @Test
  void aParallelUnorderedReadWithPathsOfDisagreeingFilesComesInTheUnifiedSchema()
      throws IOException {
    disagreeingFiles();
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).parallelism(3)
        .includePaths();
    List<Long> ids = new ArrayList<>();
    source.blocks(account, SETTINGS.withPreserveOrder(false), new ReadStats()).doOnNext(b -> {
      try (b) {
        assertThat(b.schema()).isEqualTo(source.schema());
        for (Object id : ColumnReader.values(b, "id")) {
          ids.add((Long) id);
        }
      }
    }).blockLast(Duration.ofSeconds(30));
    assertThat(ids).hasSize(12).contains(-32768L, 4L, 8_000_000_000_000L);
    assertThat(contentsOf(Flux.defer(() -> source.blocks(account, SETTINGS, new ReadStats())
        .take(1)))).hasSize(1);
  }

  private Path nested(String name, String repetition) throws IOException {
    MessageType type = MessageTypeParser.parseMessageType("message m { " + repetition
        + " group st { required int32 a; } " + repetition + " group l (LIST) {"
        + " repeated group list { required int32 element; } } }");
    Path file = dir.resolve(name);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(type).build()) {
      Group g = new SimpleGroupFactory(type).newGroup();
      g.addGroup("st").append("a", 7);
      g.addGroup("l").addGroup("list").append("element", 8);
      writer.write(g);
    }
    return file;
  }

  @Test
  void nestedColumnsRequiredInOneFileAndOptionalInAnotherReadAsNullableWithoutACopy()
      throws IOException {
    nested("a.parquet", "required");
    nested("b.parquet", "optional");
    ParquetSource source = ParquetSource.of(List.of(dir.toString()));
    assertThat(source.schema().getFields()).allMatch(Field::isNullable);
    List<Block> blocks = new ArrayList<>();
    source.blocks(account, SETTINGS, new ReadStats()).doOnNext(blocks::add)
        .blockLast(Duration.ofSeconds(30));
    try {
      assertThat(blocks).hasSize(2).allSatisfy(b -> {
        assertThat(b.schema()).isEqualTo(source.schema());
        assertThat(b.root().getFieldVectors()).extracting(v -> v.getField())
            .as("the vectors' own fields").containsExactlyElementsOf(source.schema().getFields());
      });
      assertThat(AllTypes.rows(blocks)).extracting(r -> List.of(r.get("st"), r.get("l")))
          .containsOnly(List.of(AllTypes.struct("a", 7), List.of(8)));
    } finally {
      blocks.forEach(Block::close);
    }
  }

}
