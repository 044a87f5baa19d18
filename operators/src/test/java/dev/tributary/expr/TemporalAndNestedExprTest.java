package dev.tributary.expr;

import static dev.tributary.expr.Expr.col;
import static dev.tributary.expr.Expr.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Date and time parts, truncation, temporal literals and casts against java.time (which resolves
 * zone rules per value, so it is an independent reference for the per-block offsets), and list
 * and struct access against plain Java, over generated data with nulls.
 */
class TemporalAndNestedExprTest {
  private static final int ROWS = 600;
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final String[] UNITS = {"year", "quarter", "month", "week", "day", "hour",
      "minute", "second"};

  private final Arena arena = Arena.create("expr-time", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("test");
  private final List<Map<String, Object>> rows = rows(new Random(29));

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private static List<Map<String, Object>> rows(Random r) {
    // From 1890 to 2110, half of them around the 2021 daylight-saving changes of New York.
    long lo = LocalDate.of(1890, 1, 1).toEpochDay() * 86_400L;
    long hi = LocalDate.of(2110, 1, 1).toEpochDay() * 86_400L;
    long dst = LocalDateTime.of(2021, 3, 14, 7, 0).toEpochSecond(ZoneOffset.UTC);
    List<Map<String, Object>> out = new ArrayList<>();
    for (int k = 0; k < ROWS; k++) {
      long seconds = r.nextBoolean() ? lo + (long) (r.nextDouble() * (hi - lo))
          : dst + r.nextInt(3 * 3600) - 3600 + (r.nextBoolean() ? 237L * 86_400 : 0);
      Instant at = Instant.ofEpochSecond(seconds, r.nextInt(1_000_000) * 1000L);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("d", r.nextInt(8) == 0 ? null : LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400)));
      row.put("ts", r.nextInt(8) == 0 ? null : LocalDateTime.ofInstant(at, ZoneOffset.UTC));
      row.put("tz", r.nextInt(8) == 0 ? null : at);
      row.put("s", r.nextInt(8) == 0 ? null : r.nextInt(5) == 0 ? "" : "a,b" + ",c".repeat(
          r.nextInt(3)) + (r.nextBoolean() ? "," : ""));
      row.put("l", r.nextInt(8) == 0 ? null : List.of(r.nextInt(10), r.nextInt(10)).subList(0,
          r.nextInt(3)).stream().map(v -> v == 7 ? null : (long) v).toList());
      row.put("st", r.nextInt(8) == 0 ? null : new LinkedHashMap<>(Map.of("a", (long) k, "b",
          "v" + k)));
      out.add(row);
    }
    return out;
  }

  private Block block() {
    return BlockBuilder.in(account)
        .column(Field.nullable("d", new ArrowType.Date(DateUnit.DAY)), column("d"))
        .column(Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
            column("ts"))
        .column(Field.nullable("tz", new ArrowType.Timestamp(TimeUnit.MICROSECOND,
            NEW_YORK.getId())), column("tz"))
        .column(Field.nullable("s", ArrowType.Utf8.INSTANCE), column("s"))
        .column(new Field("l", FieldType.nullable(ArrowType.List.INSTANCE),
            List.of(Field.nullable("item", new ArrowType.Int(64, true)))), column("l"))
        .column(new Field("st", FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(Field.nullable("a", new ArrowType.Int(64, true)),
                Field.nullable("b", ArrowType.Utf8.INSTANCE))), column("st"))
        .build();
  }

  private List<Object> column(String name) {
    return rows.stream().map(r -> r.get(name)).toList();
  }

  private Object[] eval(Expr e) {
    Evaluation eval = Evaluation.withColumns(Map.of("out", e));
    try (Block in = block(); Block out = eval.apply(in.retain(), account)) {
      assertThat(out.schema()).isEqualTo(eval.schema(in.schema()));
      return ColumnReader.values(out, "out");
    }
  }

  private void check(Expr e, Function<Map<String, Object>, Object> reference) {
    Object[] got = eval(e);
    for (int k = 0; k < ROWS; k++) {
      Object want = reference.apply(rows.get(k));
      assertThat(Objects.equals(got[k], want)).as("%s row %d: %s, expected %s (input %s)", e,
          k, got[k], want, rows.get(k)).isTrue();
    }
  }

  /** Each column's value as a wall-clock date-time (a zoned one in New York), or null. */
  private static LocalDateTime wall(Map<String, Object> r, String c) {
    Object v = r.get(c);
    return v == null ? null : v instanceof LocalDate d ? d.atStartOfDay()
        : v instanceof Instant i ? LocalDateTime.ofInstant(i, NEW_YORK) : (LocalDateTime) v;
  }

  @Test
  void partsOfDatesAndTimestampsWithAndWithoutZoneMatchJavaTime() {
    Map<String, Function<LocalDateTime, Object>> parts = new LinkedHashMap<>();
    parts.put("year", t -> (long) t.getYear());
    parts.put("quarter", t -> (long) t.get(IsoFields.QUARTER_OF_YEAR));
    parts.put("month", t -> (long) t.getMonthValue());
    parts.put("day", t -> (long) t.getDayOfMonth());
    parts.put("hour", t -> (long) t.getHour());
    parts.put("minute", t -> (long) t.getMinute());
    parts.put("second", t -> (long) t.getSecond());
    parts.put("dayOfWeek", t -> (long) t.getDayOfWeek().getValue());
    parts.put("dayOfYear", t -> (long) t.getDayOfYear());
    for (String c : List.of("d", "ts", "tz")) {
      for (Map.Entry<String, Function<LocalDateTime, Object>> p : parts.entrySet()) {
        Expr e = switch (p.getKey()) {
          case "year" -> col(c).year();
          case "quarter" -> col(c).quarter();
          case "month" -> col(c).month();
          case "day" -> col(c).day();
          case "hour" -> col(c).hour();
          case "minute" -> col(c).minute();
          case "second" -> col(c).second();
          case "dayOfWeek" -> col(c).dayOfWeek();
          default -> col(c).dayOfYear();
        };
        check(e, r -> {
          LocalDateTime t = wall(r, c);
          return t == null ? null : p.getValue().apply(t);
        });
      }
    }
  }

  private static LocalDateTime truncate(LocalDateTime t, String unit) {
    return switch (unit) {
      case "year" -> t.toLocalDate().withDayOfYear(1).atStartOfDay();
      case "quarter" -> t.toLocalDate().withDayOfMonth(1)
          .withMonth((t.getMonthValue() - 1) / 3 * 3 + 1).atStartOfDay();
      case "month" -> t.toLocalDate().withDayOfMonth(1).atStartOfDay();
      case "week" -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
          .atStartOfDay();
      case "day" -> t.truncatedTo(ChronoUnit.DAYS);
      case "hour" -> t.truncatedTo(ChronoUnit.HOURS);
      case "minute" -> t.truncatedTo(ChronoUnit.MINUTES);
      default -> t.truncatedTo(ChronoUnit.SECONDS);
    };
  }

  @Test
  void truncationKeepsTheTypeAndTruncatesAZonedTimestampInItsZone() {
    for (String unit : UNITS) {
      check(col("d").dateTrunc(unit), r -> r.get("d") == null ? null
          : truncate(wall(r, "d"), unit).toLocalDate());
      check(col("ts").dateTrunc(unit), r -> r.get("ts") == null ? null
          : truncate(wall(r, "ts"), unit));
      check(col("tz").dateTrunc(unit), r -> r.get("tz") == null ? null
          : ZonedDateTime.of(truncate(wall(r, "tz"), unit), NEW_YORK).toInstant());
    }
    assertThatThrownBy(() -> col("d").dateTrunc("fortnight"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("year");
  }

  @Test
  void comparisonsWithDateAndTimestampLiterals() {
    LocalDate day = LocalDate.of(2021, 3, 14);
    LocalDateTime noon = LocalDateTime.of(1999, 12, 31, 12, 0, 0, 500_000_000);
    Instant instant = Instant.parse("2021-03-14T07:30:00Z");
    check(col("d").lt(day), r -> r.get("d") == null ? null
        : ((LocalDate) r.get("d")).isBefore(day));
    check(col("d").ge(noon), r -> r.get("d") == null ? null
        : !((LocalDate) r.get("d")).atStartOfDay().isBefore(noon));
    check(col("ts").between(noon, day), r -> r.get("ts") == null ? null
        : !((LocalDateTime) r.get("ts")).isBefore(noon)
            && !((LocalDateTime) r.get("ts")).isAfter(day.atStartOfDay()));
    check(col("tz").gt(instant), r -> r.get("tz") == null ? null
        : ((Instant) r.get("tz")).isAfter(instant));
    check(col("d").isIn(day, LocalDate.of(1970, 1, 1)), r -> r.get("d") == null ? null
        : r.get("d").equals(day) || r.get("d").equals(LocalDate.EPOCH));
    check(col("ts").cast(ExprType.DATE).eq(col("d")), r -> r.get("ts") == null
        || r.get("d") == null ? null : ((LocalDateTime) r.get("ts")).toLocalDate()
            .equals(r.get("d")));
    assertThatThrownBy(() -> Evaluation.filter(col("tz").lt(noon)).schema(schema()))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("[TIMESTAMP_TZ, TIMESTAMP]");
    assertThatThrownBy(() -> Evaluation.filter(col("d").lt(1)).schema(schema()))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("[DATE, INT64]");
  }

  @Test
  void castsAmongDatesTimestampsStringsAndIntegers() {
    check(col("d").cast(ExprType.UTF8).cast(ExprType.DATE), r -> r.get("d"));
    check(col("ts").cast(ExprType.UTF8).cast(ExprType.TIMESTAMP), r -> r.get("ts"));
    check(col("tz").cast(ExprType.UTF8).cast(ExprType.TIMESTAMP_TZ), r -> r.get("tz"));
    check(col("d").cast(ExprType.INT64), r -> r.get("d") == null ? null
        : ((LocalDate) r.get("d")).toEpochDay());
    check(col("ts").cast(ExprType.INT64).cast(ExprType.TIMESTAMP), r -> r.get("ts"));
    check(col("tz").cast(ExprType.DATE), r -> r.get("tz") == null ? null
        : wall(r, "tz").toLocalDate());
    check(col("tz").cast(ExprType.TIMESTAMP), r -> wall(r, "tz"));
    check(col("d").cast(ExprType.TIMESTAMP), r -> r.get("d") == null ? null : wall(r, "d"));
    check(lit("2024-02-29 13:45:00.5").cast(ExprType.TIMESTAMP),
        r -> LocalDateTime.of(2024, 2, 29, 13, 45, 0, 500_000_000));
    check(lit("2024-02-29T13:45:00+01:00").cast(ExprType.TIMESTAMP_TZ),
        r -> Instant.parse("2024-02-29T12:45:00Z"));
    assertThatThrownBy(() -> eval(lit("2024-02-30").cast(ExprType.DATE)))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("'2024-02-30'")
        .hasMessageContaining("ISO date");
    assertThatThrownBy(() -> Evaluation.filter(col("d").cast(ExprType.FLOAT64).gt(0))
        .schema(schema())).isInstanceOf(ExpressionException.class)
        .hasMessageContaining("cannot cast DATE to FLOAT64");
    assertThatThrownBy(() -> Evaluation.filter(col("l").cast(ExprType.UTF8).eq("x"))
        .schema(schema())).isInstanceOf(ExpressionException.class)
        .hasMessageContaining("cannot cast LIST to UTF8");
  }

  @Test
  void listElementsSizesStructFieldsAndSplit() {
    check(col("l").size(), r -> r.get("l") == null ? null : (long) ((List<?>) r.get("l")).size());
    for (int index : new int[] {0, 1, 5, -1, -2}) {
      check(col("l").element(index), r -> {
        List<?> l = (List<?>) r.get("l");
        int k = index < 0 ? l == null ? -1 : l.size() + index : index;
        return l == null || k < 0 || k >= l.size() ? null : l.get(k);
      });
    }
    check(col("st").field("a").plus(1), r -> r.get("st") == null ? null
        : (Long) ((Map<?, ?>) r.get("st")).get("a") + 1);
    check(col("st").field("b").upper(), r -> r.get("st") == null ? null
        : ((String) ((Map<?, ?>) r.get("st")).get("b")).toUpperCase(java.util.Locale.ROOT));
    check(col("s").split(","), r -> r.get("s") == null ? null
        : List.of(((String) r.get("s")).split(",", -1)));
    check(col("s").split(",").element(-1), r -> {
      String s = (String) r.get("s");
      return s == null ? null : s.substring(s.lastIndexOf(',') + 1);
    });
    assertThatThrownBy(() -> Evaluation.filter(col("st").field("zz").isNull()).schema(schema()))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("no field 'zz'")
        .hasMessageContaining("[a, b]");
    assertThatThrownBy(() -> Evaluation.filter(col("s").element(0).isNull()).schema(schema()))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("takes a list")
        .hasMessageContaining("[UTF8]");
  }

  @Test
  void aFilterOnATimestampThenAListColumnCopiesTheSelectedRows() {
    Instant cut = Instant.parse("2000-01-01T00:00:00Z");
    Evaluation eval = Evaluation.filter(col("tz").ge(cut)).then(Evaluation.select(List.of(
        col("l"), col("s").split(",").alias("parts"), col("tz").year().alias("y"))));
    try (Block in = block(); Block out = eval.apply(in.retain(), account)) {
      List<Map<String, Object>> kept = rows.stream().filter(r -> r.get("tz") != null
          && !((Instant) r.get("tz")).isBefore(cut)).toList();
      assertThat(ColumnReader.values(out, "l")).containsExactlyElementsOf(
          kept.stream().map(r -> r.get("l")).toList());
      assertThat(ColumnReader.values(out, "y")).containsExactlyElementsOf(kept.stream()
          .map(r -> (Object) (long) wall(r, "tz").getYear()).toList());
      assertThat(ColumnReader.values(out, "parts")).containsExactlyElementsOf(kept.stream()
          .map(r -> r.get("s") == null ? null
              : (Object) List.of(((String) r.get("s")).split(",", -1))).toList());
    }
  }

  @Test
  void aFloat32ColumnComparesWithLiteralsInFloat32AndComputesInFloat64() {
    float[] values = {0.1f, 0.2f, 0.3f, Float.NaN, -0.0f, Float.POSITIVE_INFINITY, 1e-3f};
    List<Object> data = new ArrayList<>();
    for (int k = 0; k < 50; k++) {
      data.add(k % 9 == 4 ? null : values[k % values.length]);
    }
    Evaluation eval = Evaluation.withColumns(new LinkedHashMap<>(Map.of(
        "eq", col("f").eq(0.1), "in", col("f").isIn(0.3, 7L), "between",
        col("f").between(0.1, 0.2), "huge", col("f").gt(1e300), "plus", col("f").plus(0.1))));
    try (Block in = BlockBuilder.in(account).column(Field.nullable("f",
        new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)),
        data).build(); Block out = eval.apply(in.retain(), account)) {
      for (int k = 0; k < data.size(); k++) {
        Float f = (Float) data.get(k);
        Object[] row = {ColumnReader.values(out, "eq")[k], ColumnReader.values(out, "in")[k],
            ColumnReader.values(out, "between")[k], ColumnReader.values(out, "huge")[k],
            ColumnReader.values(out, "plus")[k]};
        Object[] want = f == null ? new Object[5] : new Object[] {f == 0.1f, f == 0.3f,
            f >= 0.1f && f <= 0.2f, f == Float.POSITIVE_INFINITY, (double) f + 0.1};
        assertThat(row).as("row %d (%s)", k, f).containsExactly(want);
      }
    }
  }

  @Test
  void everyTimestampUnitReadsAsFlooredMicrosecondsAndMillisecondDatesAsDays() {
    List<Object> at = new ArrayList<>(List.of(
        LocalDateTime.parse("1969-12-31T23:59:59.999999999"),
        LocalDateTime.parse("2024-02-29T13:45:00.123456789"),
        LocalDateTime.parse("1900-03-01T00:00:00")));
    at.add(null);
    for (TimeUnit unit : TimeUnit.values()) {
      List<Object> stored = at.stream().map(t -> t == null ? null : (Object) truncate(
          (LocalDateTime) t, unit)).toList();
      Evaluation eval = Evaluation.withColumns(Map.of("us", col("t").cast(ExprType.INT64)));
      try (Block in = BlockBuilder.in(account).column(Field.nullable("t",
          new ArrowType.Timestamp(unit, null)), stored).build();
          Block out = eval.apply(in.retain(), account)) {
        assertThat(ColumnReader.values(out, "us")).as("%s", unit).containsExactlyElementsOf(
            stored.stream().map(t -> t == null ? null : (Object) Math.floorDiv(Civil.micros(
                ((LocalDateTime) t).withNano(0)) * 1000 + ((LocalDateTime) t).getNano(), 1000L))
                .toList());
      }
    }
    long[] millis = {-1, 0, 86_400_000L * 19_782 + 5};
    org.apache.arrow.vector.DateMilliVector v = new org.apache.arrow.vector.DateMilliVector("dm",
        account.allocator());
    v.allocateNew(millis.length + 1);
    for (int i = 0; i < millis.length; i++) {
      v.set(i, millis[i]);
    }
    v.setValueCount(millis.length + 1);
    try (Block in = Block.wrap(new org.apache.arrow.vector.VectorSchemaRoot(List.of(v)), account);
        Block out = Evaluation.withColumns(Map.of("day", col("dm").day(), "d",
            col("dm").dateTrunc("month"))).apply(in.retain(), account)) {
      assertThat(ColumnReader.values(out, "day")).containsExactly(31L, 1L, 29L, null);
      assertThat(ColumnReader.values(out, "d")).containsExactly(LocalDate.of(1969, 12, 1),
          LocalDate.of(1970, 1, 1), LocalDate.of(2024, 2, 1), null);
    }
  }

  private static LocalDateTime truncate(LocalDateTime t, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> t.truncatedTo(ChronoUnit.SECONDS);
      case MILLISECOND -> t.truncatedTo(ChronoUnit.MILLIS);
      case MICROSECOND -> t.truncatedTo(ChronoUnit.MICROS);
      case NANOSECOND -> t;
    };
  }

  private Schema schema() {
    try (Block in = block()) {
      return in.schema();
    }
  }
}
