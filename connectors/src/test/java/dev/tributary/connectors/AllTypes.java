package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A block with a column of every type Tributary reads and writes, seeded; nullable columns are
 * null in every fourth row, lists hold null and no elements, structs null fields.
 */
final class AllTypes {
  /** A column: its Arrow field and the value of each row. */
  record Column(Field field, IntFunction<Object> value) {}

  private static final String ITEM = BaseRepeatedValueVector.DATA_VECTOR_NAME;

  private AllTypes() {}

  static Field field(String name, ArrowType type, Field... children) {
    return new Field(name, FieldType.nullable(type), List.of(children));
  }

  static Map<String, Object> struct(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** Every column; {@code seed} varies the values. */
  static List<Column> columns(long seed) {
    Random r = new Random(seed);
    long[] longs = r.longs(1024).toArray();
    List<Column> c = new ArrayList<>();
    c.add(new Column(new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
        i -> (long) i));
    c.add(new Column(field("i8", new ArrowType.Int(8, true)), i -> (byte) longs[i % 1024]));
    c.add(new Column(field("i16", new ArrowType.Int(16, true)), i -> (short) longs[i % 1024]));
    c.add(new Column(field("i32", new ArrowType.Int(32, true)), i -> (int) longs[i % 1024]));
    c.add(new Column(field("i64", new ArrowType.Int(64, true)), i -> longs[i % 1024]));
    c.add(new Column(field("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
        i -> (float) (longs[i % 1024] % 1000) / 8));
    c.add(new Column(field("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        i -> (longs[i % 1024] % 100_000) / 64.0));
    c.add(new Column(field("bool", ArrowType.Bool.INSTANCE), i -> longs[i % 1024] > 0));
    c.add(new Column(field("utf8", ArrowType.Utf8.INSTANCE), i -> "s\u00e9,\"" + i));
    c.add(new Column(field("bin", ArrowType.Binary.INSTANCE),
        i -> new byte[] {(byte) i, (byte) (i >> 8), 0}));
    c.add(new Column(field("date", new ArrowType.Date(DateUnit.DAY)),
        i -> LocalDate.of(1969, 12, 1).plusDays(i * 37L)));
    c.add(new Column(field("ts_us_utc", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
        i -> Instant.parse("1965-03-04T05:06:07.123456Z").plusSeconds(i * 86_413L)));
    c.add(new Column(field("ts_ms", new ArrowType.Timestamp(TimeUnit.MILLISECOND, null)),
        i -> LocalDateTime.parse("2024-02-29T23:59:59.999").plusMinutes(i)));
    c.add(new Column(field("ts_ns_utc", new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
        i -> Instant.parse("2001-01-01T00:00:00.000000001Z").plusNanos(i * 1001L)));
    c.add(new Column(field("dec9", new ArrowType.Decimal(9, 2, 128)),
        i -> BigDecimal.valueOf(longs[i % 1024] % 10_000_000, 2)));
    c.add(new Column(field("dec18", new ArrowType.Decimal(18, 4, 128)),
        i -> BigDecimal.valueOf(longs[i % 1024] % 100_000_000_000_000L, 4)));
    c.add(new Column(field("dec38", new ArrowType.Decimal(38, 10, 128)),
        i -> new BigDecimal(longs[i % 1024] + "123456789.0123456789")));
    c.add(new Column(field("list_i64", ArrowType.List.INSTANCE,
        field(ITEM, new ArrowType.Int(64, true))),
        i -> i % 5 == 0 ? List.of() : Arrays.asList((long) i, null, -1L)));
    c.add(new Column(field("list_utf8", ArrowType.List.INSTANCE,
        field(ITEM, ArrowType.Utf8.INSTANCE)), i -> List.of("a" + i, "")));
    c.add(new Column(BlockBuilder.tensorField("tensor", 3),
        i -> new float[] {i, -i, 0.5f}));
    c.add(new Column(field("struct", ArrowType.Struct.INSTANCE,
        field("a", new ArrowType.Int(64, true)), field("b", ArrowType.Utf8.INSTANCE)),
        i -> struct("a", i % 3 == 0 ? null : (long) i, "b", "b" + i)));
    c.add(new Column(field("list_struct", ArrowType.List.INSTANCE,
        field(ITEM, ArrowType.Struct.INSTANCE,
            field("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)))),
        i -> List.of(struct("x", i / 2.0), struct("x", null))));
    c.add(new Column(field("struct_list", ArrowType.Struct.INSTANCE,
        field("inner", ArrowType.List.INSTANCE, field(ITEM, new ArrowType.Int(32, true)))),
        i -> struct("inner", List.of(i, i + 1))));
    return c;
  }

  /** The columns {@code keep} accepts. */
  static List<Column> columns(long seed, Predicate<Field> keep) {
    return columns(seed).stream().filter(col -> keep.test(col.field())).toList();
  }

  /** A block of {@code rows} rows of {@code columns}, starting at row {@code from}. */
  static Block block(Account account, List<Column> columns, int from, int rows) {
    BlockBuilder b = BlockBuilder.in(account);
    for (Column col : columns) {
      List<Object> values = new ArrayList<>(rows);
      for (int i = from; i < from + rows; i++) {
        values.add(col.field().isNullable() && i % 4 == 3 ? null : col.value().apply(i));
      }
      b.column(col.field(), values);
    }
    return b.build();
  }

  /** The schema of {@code columns}. */
  static Schema schema(List<Column> columns) {
    return new Schema(columns.stream().map(Column::field).toList());
  }

  /** Asserts that the row-major {@code rows} (as {@link Block#values}) are rows 0.. of columns. */
  static void assertRows(List<Column> columns, List<Map<String, Object>> rows) {
    for (int i = 0; i < rows.size(); i++) {
      for (Column col : columns) {
        String name = col.field().getName();
        Object expected = col.field().isNullable() && i % 4 == 3 ? null : col.value().apply(i);
        Object actual = rows.get(i).get(name);
        if (expected instanceof float[] f) {
          assertThat((float[]) actual).as("row %d column %s", i, name).containsExactly(f);
        } else if (expected instanceof byte[] b) {
          assertThat((byte[]) actual).as("row %d column %s", i, name).containsExactly(b);
        } else {
          assertThat(actual).as("row %d column %s", i, name).isEqualTo(expected);
        }
      }
    }
  }

  /** The rows of blocks, each a map from column name to {@link Block#values} value. */
  static List<Map<String, Object>> rows(List<Block> blocks) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Block block : blocks) {
      List<Field> fields = block.schema().getFields();
      List<Object[]> cols = fields.stream().map(f -> ColumnReader.values(block, f.getName())).toList();
      for (int r = 0; r < block.rowCount(); r++) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 0; c < fields.size(); c++) {
          row.put(fields.get(c).getName(), cols.get(c)[r]);
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
