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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JavaValuesTest {
  private final Arena arena = Arena.create("values", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("test");

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  private static Map<String, Object> struct(Object a, Object b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", a);
    m.put("b", b);
    return m;
  }

  @Test
  void everyTypeAndNullPatternRoundTripsThroughInferredColumns() {
    Object[][] columns = {
        {(byte) 1, null, (byte) -128},
        {(short) 300, (short) -2, null},
        {LocalDate.of(2024, 2, 29), null, LocalDate.of(1969, 12, 31)},
        {Instant.parse("2024-01-02T03:04:05.123456Z"), Instant.parse("1960-01-01T00:00:00Z"),
            null},
        {LocalDateTime.parse("2024-01-02T03:04:05.000001"), null, null},
        {new BigDecimal("12.50"), new BigDecimal("-0.001"), null},
        {List.of(1L, 2L), Arrays.asList(3L, null), null},
        {struct(1L, "x"), null, struct(null, "z")},
        {List.of(struct(1L, "p")), List.of(), null},
    };
    BlockBuilder builder = BlockBuilder.in(account);
    for (int c = 0; c < columns.length; c++) {
      builder.column("c" + c, columns[c]);
    }
    try (Block block = builder.build()) {
      assertThat(block.schema().findField("c0").getType()).isEqualTo(new ArrowType.Int(8, true));
      assertThat(block.schema().findField("c3").getType())
          .isEqualTo(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
      assertThat(block.schema().findField("c5").getType())
          .isEqualTo(new ArrowType.Decimal(38, 3, 128));
      for (int c = 0; c < columns.length; c++) {
        Object[] back = ColumnReader.values(block, "c" + c);
        for (int r = 0; r < back.length; r++) {
          Object expected = columns[c][r] instanceof BigDecimal d ? d.setScale(3) : columns[c][r];
          assertThat(back[r]).as("c%d row %d", c, r).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void explicitTypesConvertUnitsAndRejectWhatDoesNotFit() {
    Field millis = new Field("t", FieldType.nullable(
        new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")), null);
    Field date = new Field("d", FieldType.nullable(new ArrowType.Date(DateUnit.DAY)), null);
    try (Block block = BlockBuilder.in(account)
        .column(millis, List.of(Instant.ofEpochMilli(-1)))
        .column(date, List.of(LocalDate.of(1, 1, 1)))
        .build()) {
      assertThat(ColumnReader.values(block, "t")).containsExactly(Instant.ofEpochMilli(-1));
      assertThat(ColumnReader.values(block, "d")).containsExactly(LocalDate.of(1, 1, 1));
    }
    assertThatThrownBy(() -> BlockBuilder.in(account)
        .column(millis, List.of(Instant.parse("2024-01-01T00:00:00.000001Z"))).build())
        .isInstanceOf(ColumnException.class).hasMessageContaining("'t'")
        .hasMessageContaining("finer than the column's unit");
    Field dec = new Field("p", FieldType.nullable(new ArrowType.Decimal(5, 2, 128)), null);
    assertThatThrownBy(() -> BlockBuilder.in(account)
        .column(dec, List.of(new BigDecimal("1.234"))).build())
        .isInstanceOf(ColumnException.class).hasMessageContaining("does not fit");
    assertThatThrownBy(() -> BlockBuilder.in(account).column("m", new Object[] {1L, "x"}))
        .isInstanceOf(ColumnException.class).hasMessageContaining("row 1");
    Field s = JavaValues.infer("s", List.of(struct(1L, "x")));
    assertThatThrownBy(() -> BlockBuilder.in(account)
        .column(s, List.of(Map.of("zz", 1L))).build())
        .isInstanceOf(ColumnException.class).hasMessageContaining("no field 'zz'");
  }

  @Test
  void nanosecondTimestampsAtBothEndsOfTheirRangeConvertExactly() {
    Field nanos = new Field("t", FieldType.nullable(
        new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")), null);
    Instant first = Instant.ofEpochSecond(0, Long.MIN_VALUE);
    Instant last = Instant.ofEpochSecond(0, Long.MAX_VALUE);
    Instant nearFirst = Instant.parse("1677-09-21T00:12:43.145225192Z");
    try (Block block = BlockBuilder.in(account)
        .column(nanos, List.of(first, nearFirst, last)).build()) {
      assertThat(ColumnReader.values(block, "t")).containsExactly(first, nearFirst, last);
    }
    assertThatThrownBy(() -> BlockBuilder.in(account)
        .column(nanos, List.of(first.minusNanos(1))).build())
        .isInstanceOf(ColumnException.class).hasMessageContaining("'t'");
  }

  @Test
  void aTensorRowHoldingANullElementReadsAsAListNotAWrongArray() {
    Field tensor = new Field("v", FieldType.nullable(new ArrowType.FixedSizeList(2)),
        List.of(new Field("$data$", FieldType.nullable(new ArrowType.FloatingPoint(
            org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)), null)));
    try (Block block = BlockBuilder.in(account)
        .column(tensor, Arrays.asList(new float[] {1f, 2f}, Arrays.asList(3f, null), null))
        .build()) {
      Object[] values = ColumnReader.values(block, "v");
      assertThat((float[]) values[0]).containsExactly(1f, 2f);
      assertThat(values[1]).isEqualTo(Arrays.asList(3f, null));
      assertThat(values[2]).isNull();
    }
  }
}
