package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillStoreTest {
  private final Arena arena = Arena.create("spill", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("spiller");

  @TempDir Path spillDir;

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  /** One block of {@code rows} longs whose values are derived from {@code index}. */
  private Block block(int index, int rows) {
    long[] values = new long[rows];
    for (int i = 0; i < rows; i++) {
      values[i] = (long) index * rows + i;
    }
    return TestBlocks.of(account, values);
  }

  private static long checksum(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum = sum * 31 + v;
    }
    return sum;
  }

  @Test
  void aGibibyteOfBlocksSpillsThroughA64MibArenaAndComesBackWhole() throws Exception {
    int rows = 1 << 20; // 8 MiB per block
    int blocks = 128; // 1 GiB in all
    List<SpillHandle> handles = new ArrayList<>();
    long[] sums = new long[blocks];
    Path file;
    try (SpillStore store = SpillStore.open(spillDir, 2 * Bytes.GiB)) {
      file = store.file();
      for (int b = 0; b < blocks; b++) {
        try (Block block = block(b, rows)) {
          sums[b] = checksum(TestBlocks.values(block));
          handles.add(store.put(block));
        }
      }
      assertThat(store.blockCount()).isEqualTo(blocks);
      assertThat(store.bytesSpilled()).isGreaterThanOrEqualTo((long) blocks * rows * 8);
      assertThat(store.bytesOnDisk()).isEqualTo(store.bytesSpilled());
      assertThat(Files.exists(file)).isTrue();
      for (int b = 0; b < blocks; b++) {
        try (Block restored = store.get(handles.get(b), account)) {
          assertThat(restored.rowCount()).isEqualTo(rows);
          assertThat(checksum(TestBlocks.values(restored))).as("block %d", b).isEqualTo(sums[b]);
        }
        store.delete(handles.get(b));
      }
      assertThat(store.bytesRestored()).isEqualTo(store.bytesSpilled());
      assertThat(store.bytesOnDisk()).isZero();
      assertThat(store.blockCount()).isZero();
    }
    assertThat(arena.peakBytes()).isLessThanOrEqualTo(64 * Bytes.MiB);
    assertThat(Files.exists(file)).isFalse();
    try (Stream<Path> left = Files.list(spillDir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aBlockLargerThanOneChunkIsSplitAndRestored() {
    try (SpillStore store = SpillStore.open(spillDir, 16 * Bytes.MiB, SpillStore.MIN_CHUNK_BYTES)) {
      SpillHandle handle;
      long sum;
      try (Block block = block(3, 100_000)) {
        sum = checksum(TestBlocks.values(block));
        handle = store.put(block);
      }
      assertThat(handle.chunks()).isGreaterThan(100);
      assertThat(handle.rowCount()).isEqualTo(100_000);
      try (Block restored = store.get(handle, account)) {
        assertThat(checksum(TestBlocks.values(restored))).isEqualTo(sum);
      }
    }
  }

  @Test
  void aHandleCanBeReadManyTimesUntilDeleted() {
    try (SpillStore store = SpillStore.open(spillDir, 16 * Bytes.MiB)) {
      SpillHandle handle;
      try (Block block = block(0, 10)) {
        handle = store.put(block);
      }
      for (int i = 0; i < 3; i++) {
        try (Block restored = store.get(handle, account)) {
          assertThat(TestBlocks.values(restored)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
      }
      store.delete(handle);
      assertThatThrownBy(() -> store.get(handle, account))
          .isInstanceOf(SpillException.class)
          .hasMessageContaining("not live");
      assertThatThrownBy(() -> store.delete(handle)).isInstanceOf(SpillException.class);
    }
  }

  @Test
  void nullableStringsListsStructsAndViewsComeBackAsWritten() {
    try (SpillStore store = SpillStore.open(spillDir, 16 * Bytes.MiB)) {
      SpillHandle handle;
      String written;
      try (Block block = mixedBlock()) {
        written = block.root().contentToTSVString();
        handle = store.put(block);
      }
      try (Block restored = store.get(handle, account)) {
        assertThat(restored.root().getSchema()).isEqualTo(mixedSchema());
        assertThat(restored.root().contentToTSVString()).isEqualTo(written);
      }
      store.delete(handle);
    }
  }

  private static Schema mixedSchema() {
    return new Schema(List.of(
        Field.nullable("s",
            ArrowType.Utf8.INSTANCE),
        Field.nullable("v",
            ArrowType.Utf8View.INSTANCE),
        new Field("l",
            FieldType.nullable(
                ArrowType.List.INSTANCE),
            List.of(Field.nullable("item",
                new ArrowType.Int(32, true)))),
        new Field("st",
            FieldType.nullable(
                ArrowType.Struct.INSTANCE),
            List.of(Field.nullable("a",
                new ArrowType.Int(64, true))))));
  }

  /** Five rows with nulls in every column, empty and long (out-of-line) strings. */
  private Block mixedBlock() {
    VectorSchemaRoot root =
        VectorSchemaRoot.create(mixedSchema(), account.allocator());
    String[] strings = {"a", null, "", "ünïcödé", "a string longer than twelve bytes"};
    var s = (VarCharVector) root.getVector("s");
    var v = (ViewVarCharVector) root.getVector("v");
    var l = (ListVector) root.getVector("l");
    var st = (StructVector) root.getVector("st");
    var a = (BigIntVector) st.getChild("a");
    var items = l.getWriter();
    for (int i = 0; i < strings.length; i++) {
      if (strings[i] == null) {
        s.setNull(i);
        v.setNull(i);
        l.setNull(i);
        st.setNull(i);
        continue;
      }
      byte[] bytes = strings[i].getBytes(StandardCharsets.UTF_8);
      s.setSafe(i, bytes);
      v.setSafe(i, bytes);
      items.setPosition(i);
      items.startList();
      for (int k = 0; k < i; k++) {
        items.integer().writeInt(i * 10 + k);
      }
      items.endList();
      st.setIndexDefined(i);
      a.setSafe(i, -i);
    }
    root.setRowCount(strings.length);
    return Block.wrap(root, account);
  }

  @Test
  void handlesFromAnotherStoreAreRejected() {
    try (SpillStore one = SpillStore.open(spillDir, 16 * Bytes.MiB);
        SpillStore two = SpillStore.open(spillDir, 16 * Bytes.MiB)) {
      SpillHandle handle;
      try (Block block = block(0, 10)) {
        handle = one.put(block);
      }
      assertThatThrownBy(() -> two.get(handle, account)).isInstanceOf(SpillException.class);
      assertThat(one.file()).isNotEqualTo(two.file());
    }
  }

  @Test
  void restoringIntoAnAccountWithoutRoomIsATypedErrorAndLeaksNothing() {
    try (SpillStore store = SpillStore.open(spillDir, 16 * Bytes.MiB);
        Account tiny = arena.openAccount("tiny", 64 * Bytes.KiB, 64 * Bytes.KiB)) {
      SpillHandle handle;
      try (Block block = block(0, 100_000)) {
        handle = store.put(block);
      }
      assertThatThrownBy(() -> store.get(handle, tiny))
          .isInstanceOf(MemoryLimitExceededException.class)
          .hasMessageContaining("'tiny'");
      assertThat(tiny.heldBytes()).isZero();
      assertThat(store.blockCount()).isEqualTo(1);
    }
  }

  @Test
  void aFullStoreRefusesWithATypedErrorAndKeepsNoPartialBlock() {
    try (SpillStore store = SpillStore.open(spillDir, 64 * Bytes.KiB, SpillStore.MIN_CHUNK_BYTES)) {
      List<SpillHandle> kept = new ArrayList<>();
      SpillException refused = null;
      for (int i = 0; i < 10_000 && refused == null; i++) {
        try (Block block = block(i, 4096)) {
          kept.add(store.put(block));
        } catch (SpillException e) {
          refused = e;
        }
      }
      assertThat(refused).isNotNull().hasMessageContaining("cannot spill");
      assertThat(store.blockCount()).isEqualTo(kept.size());
      assertThat(store.bytesOnDisk()).isEqualTo(kept.stream().mapToLong(SpillHandle::bytes).sum());
      SpillHandle last = kept.get(kept.size() - 1);
      try (Block restored = store.get(last, account)) {
        assertThat(restored.rowCount()).isEqualTo(4096);
      }
    }
  }

  @Test
  void closeDeletesTheFileAndInvalidatesTheStore() {
    SpillStore store = SpillStore.open(spillDir.resolve("nested/dir"), 16 * Bytes.MiB);
    Path file = store.file();
    assertThat(Files.exists(file)).isTrue();
    assertThat(Files.exists(store.dataFile())).isTrue();
    store.close();
    assertThat(Files.exists(file)).isFalse();
    assertThat(Files.exists(store.dataFile())).isFalse();
    assertThatThrownBy(() -> store.put(null)).isInstanceOf(IllegalStateException.class);
    store.close();
  }
}
