package dev.tributary.columnar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-type table as a specification: every entry it knows, each with values and nulls,
 * through every path a column takes (Java values in and out, batch arrays, take, concat, copy,
 * slice copy, conform), with nothing left allocated.
 */
class ColumnTypeTest {
  private final Arena arena = Arena.create("column-types", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("test");

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  /** One row of the table: an entry, a field of its type and values with a null. */
  private record Case(ColumnType type, Field field, List<Object> values) {}

  private static Field field(String name, ArrowType type, Field... children) {
    return new Field(name, FieldType.nullable(type), List.of(children));
  }

  private static List<Object> values(Object... values) {
    return Arrays.asList(values);
  }

  private static Map<String, Object> entry(String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", key);
    m.put("value", value);
    return m;
  }

  private static List<Case> table() {
    Field int64 = field("$data$", new ArrowType.Int(64, true));
    Field float32 = field("$data$", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    Map<String, Object> struct = new LinkedHashMap<>();
    struct.put("a", 1L);
    struct.put("b", null);
    return List.of(
        new Case(ColumnType.NULL, field("n", ArrowType.Null.INSTANCE), values(null, null, null)),
        new Case(ColumnType.INT8, field("i8", new ArrowType.Int(8, true)),
            values((byte) -128, null, (byte) 127)),
        new Case(ColumnType.INT16, field("i16", new ArrowType.Int(16, true)),
            values((short) -32768, null, (short) 7)),
        new Case(ColumnType.INT32, field("i32", new ArrowType.Int(32, true)),
            values(Integer.MIN_VALUE, null, 3)),
        new Case(ColumnType.INT64, field("i64", new ArrowType.Int(64, true)),
            values(Long.MAX_VALUE, null, -1L)),
        new Case(ColumnType.FLOAT32, field("f32",
            new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            values(Float.NaN, null, -0.0f)),
        new Case(ColumnType.FLOAT64, field("f64",
            new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            values(Double.NEGATIVE_INFINITY, null, 1e-300)),
        new Case(ColumnType.BOOL, field("b", ArrowType.Bool.INSTANCE), values(true, null, false)),
        new Case(ColumnType.UTF8, field("s", ArrowType.Utf8.INSTANCE),
            values("", null, "\u00e9\u6f22")),
        new Case(ColumnType.BINARY, field("bin", ArrowType.Binary.INSTANCE),
            values(new byte[] {1, 2}, null, new byte[0])),
        new Case(ColumnType.FIXED_BINARY, field("fixed", new ArrowType.FixedSizeBinary(2)),
            values(new byte[] {1, 2}, null, new byte[] {-1, 0})),
        new Case(ColumnType.DATE_DAY, field("d", new ArrowType.Date(DateUnit.DAY)),
            values(LocalDate.of(1, 1, 1), null, LocalDate.of(2024, 2, 29))),
        new Case(ColumnType.TIMESTAMP_ZONED, field("tz",
            new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
            values(Instant.parse("1677-09-21T00:12:43.145224192Z"), null,
                Instant.parse("2024-01-02T03:04:05.123456789Z"))),
        new Case(ColumnType.TIMESTAMP_LOCAL, field("ts",
            new ArrowType.Timestamp(TimeUnit.MILLISECOND, null)),
            values(LocalDateTime.parse("1900-01-01T00:00:00.001"), null,
                LocalDateTime.parse("2262-04-11T23:47:16.854"))),
        new Case(ColumnType.DECIMAL, field("dec", new ArrowType.Decimal(10, 3, 128)),
            values(new BigDecimal("-1234567.891"), null, new BigDecimal("0.000"))),
        new Case(ColumnType.LIST, field("list", ArrowType.List.INSTANCE, int64),
            values(List.of(1L, 2L), null, Arrays.asList(null, 3L), List.of())),
        new Case(ColumnType.MAP, field("map", new ArrowType.Map(false),
            new Field("entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
                new Field("key", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
                field("value", new ArrowType.Int(64, true))))),
            values(List.of(entry("a", 1L), entry("a", null)), null, List.of())),
        new Case(ColumnType.FIXED_LIST, field("tensor", new ArrowType.FixedSizeList(2),
            float32), values(new float[] {1f, -2f}, null, Arrays.asList(3f, null))),
        new Case(ColumnType.STRUCT, field("struct", ArrowType.Struct.INSTANCE,
            field("a", new ArrowType.Int(64, true)), field("b", ArrowType.Utf8.INSTANCE)),
            values(struct, null, Map.of())));
  }

  /** A value as read back: an empty struct reads with its fields null. */
  private static Object expected(Case c, Object value) {
    if (c.type() == ColumnType.STRUCT && value instanceof Map<?, ?> m && m.isEmpty()) {
      Map<String, Object> nulls = new LinkedHashMap<>();
      nulls.put("a", null);
      nulls.put("b", null);
      return nulls;
    }
    return value;
  }

  private static List<Object> expected(Case c, List<Object> values) {
    List<Object> out = new ArrayList<>();
    values.forEach(v -> out.add(expected(c, v)));
    return out;
  }

  /** A column's Java values in a form {@code equals} compares by content (arrays as lists). */
  private static Object canonical(Object value) {
    if (value instanceof byte[] b) {
      List<Byte> out = new ArrayList<>();
      for (byte x : b) {
        out.add(x);
      }
      return out;
    } else if (value instanceof float[] f) {
      List<Float> out = new ArrayList<>();
      for (float x : f) {
        out.add(x);
      }
      return out;
    } else if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(canonical(v)));
      return out;
    } else if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(k, canonical(v)));
      return out;
    }
    return value;
  }

  private static Object read(Block block, String column) {
    return canonical(Arrays.asList(ColumnReader.values(block, column)));
  }

  private Block block(Case c) {
    return BlockBuilder.in(account).column(c.field(), c.values()).build();
  }

  @Test
  void theTableCoversEveryEntryAndResolvesEachFromItsField() {
    Set<ColumnType> covered = EnumSet.noneOf(ColumnType.class);
    for (Case c : table()) {
      assertThat(ColumnType.of(c.field())).as(c.field().toString()).isEqualTo(c.type());
      covered.add(c.type());
    }
    assertThat(covered).isEqualTo(EnumSet.complementOf(EnumSet.of(ColumnType.UNSUPPORTED)));
  }

  @Test
  void everyEntryRoundTripsValuesAndNulls() {
    for (Case c : table()) {
      try (Block block = block(c)) {
        assertThat(ColumnType.of(block.vector(c.field().getName()))).isEqualTo(c.type());
        assertThat(read(block, c.field().getName()))
            .as(c.type().name())
            .isEqualTo(canonical(expected(c, c.values())));
        if (c.type() != ColumnType.FIXED_LIST) { // a tensor batch (float[][]) has no null elements
          Object array = ColumnReader.array(block, c.field().getName());
          assertThat(array.getClass().getComponentType()).as(c.type().name())
              .isEqualTo(c.type().javaClass());
        }
      }
    }
  }

  @Test
  void everyEntryGoesThroughTakeConcatCopyAndSliceCopy() {
    for (Case c : table()) {
      String name = c.field().getName();
      List<Object> values = expected(c, c.values());
      try (Block block = block(c);
          Block taken = Blocks.take(block, new int[] {2, 0, 1, 2}, account);
          Block joined = Blocks.concat(List.of(block, block), account);
          Block copied = Blocks.copy(account, block.root());
          Block sliced = Blocks.sliceCopy(block, 1, 2, account)) {
        assertThat(read(taken, name)).as(c.type().name())
            .isEqualTo(canonical(
                Arrays.asList(values.get(2), values.get(0), values.get(1), values.get(2))));
        List<Object> twice = new ArrayList<>(values);
        twice.addAll(values);
        assertThat(read(joined, name)).as(c.type().name())
            .isEqualTo(canonical(twice));
        assertThat(read(copied, name)).as(c.type().name())
            .isEqualTo(canonical(values));
        assertThat(read(sliced, name)).as(c.type().name())
            .isEqualTo(canonical(values.subList(1, 3)));
      }
    }
  }

  @Test
  void takeAndSliceCopyOfManyRowsKeepValuesAndNullsAtUnalignedRows() {
    int rows = 1_000;
    Long[] ids = new Long[rows];
    Double[] xs = new Double[rows];
    String[] tags = new String[rows];
    for (int i = 0; i < rows; i++) {
      ids[i] = i % 7 == 3 ? null : (long) i;
      xs[i] = i % 5 == 1 ? null : i / 3.0;
      tags[i] = i % 11 == 2 ? null : "t" + "é".repeat(i % 4) + i;
    }
    int[] picks = {999, 3, 2, 500, 500, 13, 0};
    try (Block block = BlockBuilder.in(account).column("id", ids).column("x", xs)
        .column("tag", tags).build();
        Block sliced = Blocks.sliceCopy(block, 13, 619, account);
        Block taken = Blocks.take(block, picks, account)) {
      assertThat(sliced.schema()).isEqualTo(block.schema());
      for (String c : List.of("id", "x", "tag")) {
        List<Object> all = Arrays.asList(ColumnReader.values(block, c));
        assertThat(Arrays.asList(ColumnReader.values(sliced, c))).as(c)
            .isEqualTo(all.subList(13, 13 + 619));
        List<Object> picked = new ArrayList<>();
        for (int p : picks) {
          picked.add(all.get(p));
        }
        assertThat(Arrays.asList(ColumnReader.values(taken, c))).as(c).isEqualTo(picked);
      }
    }
  }

  @Test
  void zipAndProjectShareColumnsOfEveryEntry() {
    List<Case> cases = table();
    Case first = cases.get(0);
    for (Case c : cases.subList(1, cases.size())) {
      try (Block left = BlockBuilder.in(account).column(first.field(), c.values().stream()
              .map(v -> null).toList()).build();
          Block right = block(c);
          Block zipped = Blocks.zip(left, right, account);
          Block renamed = Blocks.project(zipped, Map.of(c.field().getName(), "x"), account)) {
        assertThat(zipped.schema().getFields()).containsExactly(
            left.schema().getFields().get(0), right.schema().getFields().get(0));
        assertThat(read(renamed, "x")).as(c.type().name())
            .isEqualTo(canonical(expected(c, c.values())));
      }
    }
  }

  @Test
  void aValueOfAnotherJavaTypeIsRefusedNamingTheColumn() {
    for (Case c : table()) {
      if (c.type() == ColumnType.NULL) {
        continue;
      }
      Object wrong = c.type() == ColumnType.UTF8 ? (Object) 1L : "text";
      assertThatThrownBy(() -> BlockBuilder.in(account)
          .column(c.field(), Arrays.asList(wrong)).build())
          .as(c.type().name())
          .isInstanceOf(ColumnException.class)
          .hasMessageContaining("'" + c.field().getName() + "'")
          .hasMessageContaining("does not fit");
    }
  }

  @Test
  void anUnsupportedTypeHoldsNullsAndRefusesValuesByName() {
    Field uint = field("u", new ArrowType.Int(32, false));
    assertThat(ColumnType.of(uint)).isEqualTo(ColumnType.UNSUPPORTED);
    try (Block nulls = BlockBuilder.in(account).column(uint, values(null, null)).build()) {
      assertThat(ColumnReader.values(nulls, "u")).containsExactly(null, null);
    }
    assertThatThrownBy(() -> BlockBuilder.in(account).column(uint, values(1)).build())
        .isInstanceOf(ColumnException.class)
        .hasMessageContaining("column 'u': type Int(32, false) cannot be written");
  }
}
