package dev.tributary.columnar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Unique column names, null-typed columns and their unification (issue 10, items 1 and 4). */
class SchemasTest {
  private final Arena arena = Arena.create("schemas", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("test");

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private static Field field(String name, ArrowType type, boolean nullable) {
    return new Field(name, nullable ? FieldType.nullable(type) : FieldType.notNullable(type),
        null);
  }

  private static final ArrowType INT64 = new ArrowType.Int(64, true);

  @Test
  void aColumnNullInEveryRowHasTheNullTypeNotUtf8() {
    try (Block block = BlockBuilder.in(account)
        .column("sparse", new Object[] {null, null, null})
        .column("tags", new Object[] {List.of(), null, List.of()})
        .build()) {
      assertThat(block.schema().findField("sparse").getType()).isEqualTo(ArrowType.Null.INSTANCE);
      assertThat(block.schema().findField("tags").getChildren().get(0).getType())
          .isEqualTo(ArrowType.Null.INSTANCE);
      assertThat(ColumnReader.values(block, "sparse")).containsExactly(null, null, null);
      assertThat(ColumnReader.values(block, "tags")).containsExactly(List.of(), null, List.of());
    }
  }

  @Test
  void aBlockWithTwoColumnsOfOneNameCannotExist() {
    BigIntVector a = new BigIntVector("x", account.allocator());
    BigIntVector b = new BigIntVector("x", account.allocator());
    a.allocateNew(1);
    b.allocateNew(1);
    a.setValueCount(1);
    b.setValueCount(1);
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(a, b));
    assertThatThrownBy(() -> Block.wrap(root, account))
        .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column()).isEqualTo("x"))
        .hasMessageContaining("[x, x]");
    assertThat(account.heldBytes()).as("the refused root is closed").isZero();
    assertThatThrownBy(() -> BlockBuilder.in(account).column("x", new long[1])
        .column("x", new long[1])).isInstanceOf(ColumnException.class);
  }

  @Test
  void nullTypedColumnsTakeTheOtherTypeAndNullabilityWidens() {
    Schema typed = new Schema(List.of(field("id", INT64, false), field("x", INT64, true)));
    Schema sparse = new Schema(List.of(field("id", INT64, false),
        field("x", ArrowType.Null.INSTANCE, true)));
    assertThat(Schemas.unify(sparse, typed, "t")).isEqualTo(typed);
    assertThat(Schemas.unify(typed, sparse, "t")).isEqualTo(typed);
    Schema nullableId = new Schema(List.of(field("id", INT64, true), field("x", INT64, true)));
    assertThat(Schemas.unify(typed, nullableId, "t")).isEqualTo(nullableId);
    assertThat(Schemas.hasNullTypes(sparse)).isTrue();
    assertThat(Schemas.hasNullTypes(typed)).isFalse();
  }

  @Test
  void differentNamesOrTypesDoNotUnify() {
    Schema a = new Schema(List.of(field("x", INT64, true)));
    assertThatThrownBy(() -> Schemas.unify(a, new Schema(List.of(field("y", INT64, true))), "u"))
        .isInstanceOf(SchemaMismatchException.class).hasMessageStartingWith("u: ");
    assertThatThrownBy(() -> Schemas.unify(a,
        new Schema(List.of(field("x", ArrowType.Utf8.INSTANCE, true))), "u"))
        .isInstanceOf(SchemaMismatchException.class);
  }

  @Test
  void conformingANullTypedBlockKeepsEveryValueAndSharesTheTypedColumns() {
    try (Block sparse = BlockBuilder.in(account)
            .column("id", new long[] {1, 2})
            .column("x", new Object[] {null, null})
            .column("m", new Object[] {Map.of("a", 1L), null})
            .build();
        Block typed = BlockBuilder.in(account)
            .column("id", new long[] {3})
            .column("x", new Object[] {List.of("v")})
            .column("m", new Object[] {Map.of("a", 2L)})
            .build()) {
      Schema target = Schemas.unify(sparse.schema(), typed.schema(), "t");
      try (Block conformed = Schemas.conform(sparse, target, account)) {
        assertThat(conformed.schema()).isEqualTo(target);
        assertThat(ColumnReader.values(conformed, "x")).containsExactly(null, null);
        assertThat(ColumnReader.longs(conformed, "id")).containsExactly(1, 2);
        assertThat(ColumnReader.values(conformed, "m")).containsExactly(Map.of("a", 1L), null);
      }
      try (Block same = Schemas.conform(typed, target, account)) {
        assertThat(same).isNotSameAs(typed);
        assertThat(same.root().getVector("id").getDataBuffer().memoryAddress())
            .as("shared, not copied")
            .isEqualTo(typed.root().getVector("id").getDataBuffer().memoryAddress());
      }
      assertThat(Arrays.asList(ColumnReader.values(typed, "x"))).containsExactly(List.of("v"));
    }
  }
}
