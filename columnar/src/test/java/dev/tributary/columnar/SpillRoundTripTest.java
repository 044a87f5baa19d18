package dev.tributary.columnar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.SpillHandle;
import dev.tributary.memory.SpillStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spill store restores blocks of every layout exactly (built here, one layer up). */
class SpillRoundTripTest {
  private final Arena arena = Arena.create("spill", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("spiller");

  @TempDir Path spillDir;

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  @Test
  void stringsNullsNaNListsAndEmptyBlocksComeBackExactly() {
    try (SpillStore store = SpillStore.open(spillDir, 16 * Bytes.MiB)) {
      List<Object> names = java.util.Arrays.asList("a", null, "", "ünïcode", "x".repeat(1000));
      List<Object> xs = java.util.Arrays.asList(1.5, Double.NaN, null, -0.0, Double.MAX_VALUE);
      List<Object> lists =
          java.util.Arrays.asList(List.of(1L, 2L), null, List.of(), List.of(3L), List.of(4L));
      for (int rows : new int[] {5, 0}) {
        try (Block block = BlockBuilder.in(account)
            .column("s", names.subList(0, rows).toArray())
            .column("x", xs.subList(0, rows).toArray())
            .column("l", lists.subList(0, rows).toArray())
            .build()) {
          SpillHandle handle = store.put(block);
          try (Block restored = store.get(handle, account)) {
            assertThat(restored.schema()).isEqualTo(block.schema());
            assertThat(restored.rowCount()).isEqualTo(rows);
            assertThat(restored.root().contentToTSVString())
                .isEqualTo(block.root().contentToTSVString());
          }
          store.delete(handle);
        }
      }
      assertThat(store.spillNanos()).isPositive();
      assertThat(store.restoreNanos()).isPositive();
    }
  }

}
