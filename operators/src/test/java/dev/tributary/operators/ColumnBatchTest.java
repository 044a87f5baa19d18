package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.util.Arrays;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ColumnBatchTest {
  private final Arena arena = Arena.create("batch", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("test");

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  /** x and n required; ox, on, os optional (as DuckDB and Spark write every column). */
  private Block block() {
    return BlockBuilder.in(account).column("x", new double[] {0.5, 1.5, 2.5})
        .column("n", new long[] {1, 2, 3})
        .column(new Field("ox", FieldType.nullable(new ArrowType.FloatingPoint(
            FloatingPointPrecision.DOUBLE)), null), Arrays.asList(1.0, null, 3.0))
        .column(new Field("on", FieldType.nullable(new ArrowType.Int(32, true)), null),
            Arrays.asList(7, null, 9))
        .column(Field.nullable("os", ArrowType.Utf8.INSTANCE), Arrays.asList("a", null, "é"))
        .build();
  }

  @Test
  void typedAccessorsReadRequiredAndOptionalColumnsAlikeWithANullMask() {
    try (Block in = block()) {
      ColumnBatch b = HandedBatch.of(in).batch();
      assertThat(b.doubles("x")).containsExactly(0.5, 1.5, 2.5);
      assertThat(b.doubles("ox")).containsExactly(1.0, Double.NaN, 3.0);
      assertThat(b.longs("n")).containsExactly(1, 2, 3);
      assertThat(b.longs("on")).containsExactly(7, 0, 9);
      assertThat(b.strings("os")).containsExactly("a", null, "é");
      assertThat(b.nulls("ox")).containsExactly(false, true, false);
      assertThat(b.nulls("x")).containsExactly(false, false, false);
      assertThat(b.get("ox")).isInstanceOf(Double[].class);
      assertThatThrownBy(() -> b.longs("x")).isInstanceOf(ColumnException.class)
          .hasMessageContaining("doubles()");
      assertThatThrownBy(() -> b.doubles("nope")).isInstanceOf(ColumnException.class)
          .hasMessageContaining("[x, n, ox, on, os]");
    }
  }

  @Test
  void aTypedArrayReturnedUnchangedKeepsItsVectorAndItsNulls() {
    try (Block in = block()) {
      HandedBatch handed = HandedBatch.of(in);
      try (Block out = handed.apply(b -> Map.of("ox", b.doubles("ox"),
          "twice", Arrays.stream(b.doubles("x")).map(v -> v * 2).toArray()), account)) {
        assertThat(ColumnReader.values(out, "ox")).containsExactly(1.0, null, 3.0);
        assertThat(out.vector("ox").getDataBuffer().memoryAddress())
            .isEqualTo(in.vector("ox").getDataBuffer().memoryAddress());
        assertThat(ColumnReader.doubles(out, "twice")).containsExactly(1.0, 3.0, 5.0);
      }
    }
  }

  @Test
  void anUnorderedResultGivesInputColumnsInOrderThenNewOnesSorted() {
    try (Block in = block()) {
      try (Block out = HandedBatch.of(in).apply(b -> Map.of("zeta", b.longs("n"), "os",
          b.get("os"), "alpha", b.doubles("x"), "n", b.get("n")), account)) {
        assertThat(out.schema().getFields()).extracting(Field::getName)
            .containsExactly("n", "os", "alpha", "zeta");
      }
    }
  }

  @Test
  void columnsTheFunctionNeverReadsAreNotDecodedAndPassThroughZeroCopy() {
    try (Block in = block()) {
      HandedBatch handed = HandedBatch.of(in);
      try (Block out = handed.apply(b -> {
        b.put("y", Arrays.stream(b.doubles("x")).map(v -> v + 1).toArray());
        return b;
      }, account)) {
        assertThat(handed.batch().unread("os")).isTrue();
        assertThat(out.schema().getFields()).extracting(Field::getName)
            .containsExactly("x", "n", "ox", "on", "os", "y");
        assertThat(out.vector("os").getDataBuffer().memoryAddress())
            .isEqualTo(in.vector("os").getDataBuffer().memoryAddress());
        assertThat(ColumnReader.doubles(out, "y")).containsExactly(1.5, 2.5, 3.5);
        assertThat(ColumnReader.values(out, "on")).containsExactly(7, null, 9);
      }
    }
  }
}
