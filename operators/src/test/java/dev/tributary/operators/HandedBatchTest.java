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
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandedBatchTest {
  private final Arena arena = Arena.create("handed", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("test");

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private Block block() {
    return BlockBuilder.in(account).column("id", new long[] {1, 2, 3})
        .column("tag", new String[] {"a", null, "c"}).column("x", new double[] {0.5, 1.5, 2.5})
        .build();
  }

  private static long address(Block b, String column) {
    return b.vector(column).getDataBuffer().memoryAddress();
  }

  @Test
  void columnsReturnedUnchangedShareTheirVectorsInTheResultsOrder() {
    try (Block in = block()) {
      HandedBatch handed = HandedBatch.of(in);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("y", new long[] {7, 8, 9});
      result.put("tag", handed.batch().get("tag"));
      result.put("id", handed.batch().get("id"));
      try (Block out = handed.write(result, account)) {
        assertThat(out.schema().getFields()).extracting(f -> f.getName())
            .containsExactly("y", "tag", "id");
        assertThat(address(out, "id")).isEqualTo(address(in, "id"));
        assertThat(address(out, "tag")).isEqualTo(address(in, "tag"));
        assertThat(ColumnReader.values(out, "tag")).containsExactly("a", null, "c");
        assertThat(ColumnReader.longs(out, "y")).containsExactly(7, 8, 9);
      }
    }
  }

  @Test
  void arraysChangedInPlaceAreEncodedAnew() {
    try (Block in = block()) {
      HandedBatch handed = HandedBatch.of(in);
      Map<String, Object> batch = handed.batch();
      ((long[]) batch.get("id"))[1] = 20;
      ((String[]) batch.get("tag"))[1] = "b";
      try (Block out = handed.write(batch, account)) {
        assertThat(ColumnReader.longs(out, "id")).containsExactly(1, 20, 3);
        assertThat(ColumnReader.strings(out, "tag")).containsExactly("a", "b", "c");
        assertThat(address(out, "x")).isEqualTo(address(in, "x"));
        assertThat(address(out, "id")).isNotEqualTo(address(in, "id"));
      }
    }
  }

  @Test
  void unchangedAndNewColumnsOfDifferentLengthsAreATypedError() {
    try (Block in = block()) {
      HandedBatch handed = HandedBatch.of(in);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("id", handed.batch().get("id"));
      result.put("short", new long[] {1});
      assertThatThrownBy(() -> handed.write(result, account))
          .isInstanceOf(ColumnException.class).hasMessageContaining("'short'")
          .hasMessageContaining("has 1 rows");
    }
  }
}
