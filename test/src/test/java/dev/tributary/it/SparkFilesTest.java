package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.CsvOptions;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Files Spark 4.2 wrote with its default settings ({@code src/test/resources/peers/spark}, see
 * the README there) read with exactly the values Spark held: INT96 timestamps from year 1 to
 * 9999, MAP columns, Hive partition directories with a null partition, CSV with Spark's
 * backslash escapes, JSON lines that leave null fields out. Expected values come from the
 * {@code <name>.expected.json} files Spark's generator wrote beside the data.
 */
class SparkFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ArrowType I8 = new ArrowType.Int(8, true);
  private static final ArrowType I16 = new ArrowType.Int(16, true);
  private static final ArrowType I32 = new ArrowType.Int(32, true);
  private static final ArrowType I64 = new ArrowType.Int(64, true);
  private static final ArrowType F32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  private static final ArrowType F64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  private static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
  private static final ArrowType DATE = new ArrowType.Date(DateUnit.DAY);
  /** Spark's TIMESTAMP: an instant (INT96 in Parquet; text with a zone). */
  private static final ArrowType INSTANT = new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("spark-files")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  @Test
  void parquetWithEveryCommonSparkTypeReadsAsSparkWroteIt() throws Exception {
    Schema schema = new Schema(List.of(field("id", I32), field("b", I8), field("s", I16),
        field("i", I32), field("l", I64), field("f", F32), field("d", F64),
        field("dec9", new ArrowType.Decimal(9, 2, 128)),
        field("dec18", new ArrowType.Decimal(18, 4, 128)),
        field("dec38", new ArrowType.Decimal(38, 10, 128)), field("str", UTF8),
        field("bin", ArrowType.Binary.INSTANCE), field("bool", ArrowType.Bool.INSTANCE),
        field("dt", DATE), field("ts", INSTANT),
        field("ts_ntz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
        field("arr", ArrowType.List.INSTANCE, field(BaseRepeatedValueVector.DATA_VECTOR_NAME,
            I32)),
        new Field("m", FieldType.nullable(new ArrowType.Map(false)), List.of(new Field("entries",
            FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
                new Field("key", FieldType.notNullable(UTF8), null), field("value", I32))))),
        field("st", ArrowType.Struct.INSTANCE, field("a", I32), field("b", UTF8))));
    List<Map<String, Object>> rows =
        Tributary.readParquet(resource("all-types")).withRuntime(runtime).takeAll();
    assertSame("all-types", schema, rows);
  }

  @Test
  void int96TimestampsReadExactlyFromYear1To9999() throws Exception {
    Schema schema = new Schema(List.of(field("id", I32), field("dt", DATE), field("ts", INSTANT),
        field("ts_ntz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
    List<Map<String, Object>> rows = Tributary.readParquet(ParquetSource.of(
            List.of(resource("all-types"))).columns(List.of("id", "dt", "ts", "ts_ntz")))
        .withRuntime(runtime).takeAll();
    assertSame("all-types", schema, rows);
  }

  @Test
  void hivePartitionsReadWithThePartitionColumnAndTheNullPartition() throws Exception {
    Schema schema = new Schema(List.of(field("id", I64), field("v", UTF8), field("x", F64),
        field("p", I64)));
    List<Map<String, Object>> rows = new ArrayList<>();
    // Partition values are typed from the directory names: int32 (as Spark) or int64 will do.
    for (Map<String, Object> row : Tributary.readParquet(resource("partitioned"))
        .withRuntime(runtime).takeAll()) {
      Map<String, Object> r = new LinkedHashMap<>(row);
      if (r.get("p") instanceof Integer p) {
        r.put("p", p.longValue());
      }
      rows.add(r);
    }
    // Partitions are directories: their order is not the rows' order.
    rows.sort(Comparator.comparing(r -> (Long) r.get("id")));
    assertSame("partitioned", schema, rows);
  }

  @Test
  void csvWithAHeaderAndSparksBackslashEscapesReadsAsSparkWroteIt() throws Exception {
    Dataset ds = Tributary.readCsv(textSchema(), CsvOptions.defaults().escape('\\'),
        resource("csv-header"));
    assertSame("csv-header", textSchema(), ds.withRuntime(runtime).takeAll());
  }

  @Test
  void csvWithoutAHeaderReadsByPositionAsSparkWroteIt() throws Exception {
    Dataset ds = Tributary.readCsv(textSchema(),
        CsvOptions.defaults().escape('\\').header(false), resource("csv"));
    assertSame("csv", textSchema(), ds.withRuntime(runtime).takeAll());
  }

  @Test
  void jsonLinesWithNullFieldsLeftOutReadAsSparkWroteThem() throws Exception {
    Schema schema = new Schema(List.of(field("id", I64), field("s", UTF8), field("d", F64),
        field("bool", ArrowType.Bool.INSTANCE), field("dec9", new ArrowType.Decimal(9, 2, 128)),
        field("dt", DATE), field("ts", INSTANT),
        field("arr", ArrowType.List.INSTANCE, field(BaseRepeatedValueVector.DATA_VECTOR_NAME,
            I64)),
        field("st", ArrowType.Struct.INSTANCE, field("a", I64), field("b", UTF8))));
    Dataset ds = Tributary.readJson(schema, resource("json"));
    assertSame("json", schema, ds.withRuntime(runtime).takeAll());
  }

  /** The columns of the CSV fixtures (Spark's {@code TEXT} schema). */
  private static Schema textSchema() {
    return new Schema(List.of(field("id", I32), field("s", UTF8), field("l", I64),
        field("d", F64), field("bool", ArrowType.Bool.INSTANCE),
        field("dec", new ArrowType.Decimal(18, 4, 128)), field("dt", DATE),
        field("ts", INSTANT)));
  }

  private static void assertSame(String name, Schema schema, List<Map<String, Object>> rows)
      throws IOException, URISyntaxException {
    String diff = RowDiff.of(schema, expected(name, schema), rows, RowDiff.Tolerance.EXACT);
    assertThat(diff).as("%s written by Spark, read by Tributary", name).isEmpty();
  }

  /** The rows of {@code <name>.expected.json} as the Java values of {@code schema}. */
  private static List<Map<String, Object>> expected(String name, Schema schema)
      throws IOException, URISyntaxException {
    JsonNode doc = JSON.readTree(Path.of(resource(name + ".expected.json")).toFile());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (JsonNode row : doc.get("rows")) {
      Map<String, Object> r = new LinkedHashMap<>();
      for (Field f : schema.getFields()) {
        r.put(f.getName(), value(row.get(f.getName()), f));
      }
      rows.add(r);
    }
    return rows;
  }

  /** A value in the expected files' text form (see the README beside them) as a Java value. */
  private static Object value(JsonNode node, Field field) {
    if (node == null || node.isNull()) {
      return null;
    }
    ArrowType t = field.getType();
    if (t instanceof ArrowType.Int i) {
      long v = node.longValue();
      return switch (i.getBitWidth()) {
        case 8 -> (byte) v;
        case 16 -> (short) v;
        case 32 -> (int) v;
        default -> v;
      };
    } else if (t instanceof ArrowType.FloatingPoint fp) {
      return fp.getPrecision() == FloatingPointPrecision.SINGLE
          ? (Object) Float.parseFloat(node.asText()) : (Object) Double.parseDouble(node.asText());
    } else if (t instanceof ArrowType.Decimal) {
      return new BigDecimal(node.asText());
    } else if (t instanceof ArrowType.Utf8) {
      return node.asText();
    } else if (t instanceof ArrowType.Binary) {
      return Base64.getDecoder().decode(node.asText());
    } else if (t instanceof ArrowType.Bool) {
      return node.booleanValue();
    } else if (t instanceof ArrowType.Date) {
      return LocalDate.parse(node.asText());
    } else if (t instanceof ArrowType.Timestamp ts) {
      return ts.getTimezone() == null ? LocalDateTime.parse(node.asText())
          : Instant.parse(node.asText());
    } else if (t instanceof ArrowType.List) {
      List<Object> items = new ArrayList<>();
      node.forEach(x -> items.add(value(x, field.getChildren().get(0))));
      return items;
    } else if (t instanceof ArrowType.Map) {
      Field valueField = field.getChildren().get(0).getChildren().get(1);
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), value(e.getValue(), valueField)));
      return map;
    } else if (t instanceof ArrowType.Struct) {
      Map<String, Object> struct = new LinkedHashMap<>();
      field.getChildren().forEach(c -> struct.put(c.getName(), value(node.get(c.getName()), c)));
      return struct;
    }
    throw new IllegalArgumentException("no expected value for " + t);
  }

  private static Field field(String name, ArrowType type, Field... children) {
    return new Field(name, FieldType.nullable(type), List.of(children));
  }

  private static String resource(String name) throws URISyntaxException {
    return Path.of(SparkFilesTest.class.getResource("/peers/spark/" + name).toURI()).toString();
  }
}
