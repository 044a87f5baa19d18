package dev.tributary.columnar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import dev.tributary.memory.MemoryLimitExceededException;
import dev.tributary.memory.SpillHandle;
import dev.tributary.memory.SpillStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockRoundTripTest {
  private final Arena arena = Arena.create("roundtrip", 256 * Bytes.MiB);
  private final Account account = arena.openAccount("test");

  @TempDir Path spillDir;

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  /** Reads a column back in the shape it was built from: primitives if no nulls, else boxed. */
  private static Object readBack(Block block, String name, Object original) {
    if (original instanceof long[]) {
      return ColumnReader.longs(block, name);
    } else if (original instanceof int[]) {
      return ColumnReader.ints(block, name);
    } else if (original instanceof double[]) {
      return ColumnReader.doubles(block, name);
    } else if (original instanceof float[]) {
      return ColumnReader.floats(block, name);
    } else if (original instanceof boolean[]) {
      return ColumnReader.booleans(block, name);
    } else if (original instanceof String[]) {
      return ColumnReader.strings(block, name);
    } else if (original instanceof byte[][]) {
      return ColumnReader.binaries(block, name);
    }
    Object[] boxed = ColumnReader.values(block, name);
    return Arrays.copyOf(boxed, boxed.length, ((Object[]) original).getClass());
  }

  private static void assertSameColumns(Block block, int rows, long seed, int offset) {
    assertThat(block.rowCount()).isEqualTo(rows);
    for (Map.Entry<String, Object> e : TestData.columns(offset + rows, seed).entrySet()) {
      Object expected = slice(e.getValue(), offset, rows);
      assertThat(Arrays.deepEquals(
              new Object[] {readBack(block, e.getKey(), e.getValue())}, new Object[] {expected}))
          .as("column %s", e.getKey())
          .isTrue();
    }
    float[][] tensors = TestData.tensors(offset + rows, seed);
    assertThat(ColumnReader.tensors(block, "tensor")).isDeepEqualTo(Arrays.copyOfRange(tensors, offset,
        offset + rows));
  }

  private static Object slice(Object array, int offset, int length) {
    Object out = java.lang.reflect.Array.newInstance(
        array.getClass().getComponentType(), length);
    System.arraycopy(array, offset, out, 0, length);
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 17, 4096})
  void everyTypeSurvivesBuildAndRead(int rows) {
    try (Block block = TestData.block(account, rows, 42)) {
      assertSameColumns(block, rows, 42, 0);
    }
  }

  @Test
  void schemaReflectsJavaTypesAndNullability() {
    try (Block block = TestData.block(account, 3, 1)) {
      var schema = block.schema();
      assertThat(schema.findField("long").getType()).isEqualTo(new ArrowType.Int(64, true));
      assertThat(schema.findField("long").isNullable()).isFalse();
      assertThat(schema.findField("long?").isNullable()).isTrue();
      assertThat(schema.findField("string").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
      assertThat(schema.findField("tensor").getType()).isEqualTo(new ArrowType.FixedSizeList(3));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 8, 13})
  void slicesReadTheRightRows(int offset) {
    try (Block block = TestData.block(account, 100, 7);
        Block slice = block.slice(offset, 50)) {
      assertSameColumns(slice, 50, 7, offset);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, 50_000})
  void everyTypeSurvivesSpillAndRestoreBitExactly(int rows) {
    try (SpillStore store = SpillStore.open(spillDir, 64 * Bytes.MiB, SpillStore.MIN_CHUNK_BYTES)) {
      SpillHandle handle;
      try (Block block = TestData.block(account, rows, 99)) {
        handle = store.put(block);
      }
      assertThat(arena.allocatedBytes()).isZero();
      try (Block restored = store.get(handle, account)) {
        assertSameColumns(restored, rows, 99, 0);
        assertThat(restored.owner()).isSameAs(account);
        assertThat(account.heldBytes()).isEqualTo(restored.sizeBytes());
      }
    }
  }

  @Test
  void slicedBlocksSpillOnlyTheirRows() {
    try (SpillStore store = SpillStore.open(spillDir, 64 * Bytes.MiB)) {
      SpillHandle handle;
      try (Block block = TestData.block(account, 1000, 3); Block slice = block.slice(13, 100)) {
        handle = store.put(slice);
      }
      try (Block restored = store.get(handle, account)) {
        assertSameColumns(restored, 100, 3, 13);
      }
    }
  }

  @Test
  void primitiveReadersRejectNullsAndWrongTypesWithTheColumnName() {
    try (Block block = TestData.block(account, 10, 5)) {
      assertThatThrownBy(() -> ColumnReader.longs(block, "long?"))
          .isInstanceOf(ColumnException.class)
          .hasMessageContaining("'long?'")
          .hasMessageContaining("nulls");
      assertThatThrownBy(() -> ColumnReader.doubles(block, "long"))
          .isInstanceOf(ColumnException.class)
          .hasMessageContaining("not float64");
      assertThatThrownBy(() -> ColumnReader.longs(block, "nope"))
          .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column()).isEqualTo("nope"))
          .hasMessageContaining("no such column");
    }
  }

  @Test
  void builderRejectsBadColumnsBeforeAllocating() {
    BlockBuilder builder = BlockBuilder.in(account).column("a", new long[3]);
    assertThatThrownBy(() -> builder.column("b", new long[4]))
        .isInstanceOf(ColumnException.class)
        .hasMessageContaining("'b'")
        .hasMessageContaining("4 rows");
    assertThatThrownBy(() -> builder.column("a", new int[3])).hasMessageContaining("added twice");
    assertThatThrownBy(() -> builder.column("c", new char[3]))
        .hasMessageContaining("unsupported Java type char[]");
    assertThatThrownBy(() -> builder.tensors("t", new float[][] {{1, 2}, {1}}, 2))
        .hasMessageContaining("row 1 has 1 values");
    assertThat(arena.allocatedBytes()).isZero();
  }

  @Test
  void aBuildThatDoesNotFitReleasesWhatItAllocated() {
    try (Account small = arena.openAccount("small", Bytes.MiB, Bytes.MiB)) {
      BlockBuilder builder = BlockBuilder.in(small)
          .column("a", new long[100_000])
          .column("b", new long[100_000]);
      assertThatThrownBy(builder::build)
          .isInstanceOf(MemoryLimitExceededException.class)
          .hasMessageContaining("account 'small'");
      assertThat(small.heldBytes()).isZero();
    }
  }
}
