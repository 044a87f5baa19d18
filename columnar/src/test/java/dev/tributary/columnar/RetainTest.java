package dev.tributary.columnar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.BlockClosedException;
import dev.tributary.memory.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetainTest {
  private final Arena arena = Arena.create("retain", 64 * Bytes.MiB);

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  @Test
  void memoryIsFreedOnlyWhenTheLastHandleCloses() {
    try (Account a = arena.openAccount("a")) {
      Block first = TestData.block(a, 1000, 3);
      long size = first.sizeBytes();
      Object[] before = ColumnReader.values(first, "string");
      Block second = first.retain();
      assertThat(a.heldBytes()).as("nothing is copied").isEqualTo(size);
      assertThat(second.sizeBytes()).isEqualTo(size);
      assertThat(second.owner()).isSameAs(a);
      first.close();
      assertThat(first.isClosed()).isTrue();
      assertThat(a.heldBytes()).isEqualTo(size);
      assertThat(ColumnReader.values(second, "string")).containsExactly(before);
      assertThat(second.rowCount()).isEqualTo(1000);
      second.close();
      assertThat(a.heldBytes()).isZero();
    }
  }

  @Test
  void eachHandleClosesOnceInAnyOrder() {
    try (Account a = arena.openAccount("a")) {
      Block first = TestData.block(a, 10, 4);
      Block second = first.retain();
      Block third = second.retain();
      second.close();
      assertThatThrownBy(second::close).isInstanceOf(BlockClosedException.class);
      third.close();
      assertThat(a.heldBytes()).isEqualTo(first.sizeBytes());
      first.release();
      first.release();
    }
  }

  @Test
  void transferIsRefusedWhileAnotherHandleIsOpen() {
    try (Account a = arena.openAccount("a"); Account b = arena.openAccount("b")) {
      Block first = TestData.block(a, 100, 5);
      Block second = first.retain();
      assertThatThrownBy(() -> first.transferTo(b))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("another handle from retain() is open");
      assertThat(b.heldBytes()).isZero();
      first.close();
      Block moved = second.transferTo(b);
      assertThat(a.heldBytes()).isZero();
      assertThat(b.heldBytes()).isEqualTo(moved.sizeBytes());
      moved.close();
    }
  }

  @Test
  void retainingASpentBlockFails() {
    try (Account a = arena.openAccount("a")) {
      Block block = TestData.block(a, 10, 6);
      block.close();
      assertThatThrownBy(block::retain).isInstanceOf(BlockClosedException.class);
    }
  }

  @Test
  void anEmptyBlockCanBeRetained() {
    try (Account a = arena.openAccount("a")) {
      Block block = TestData.block(a, 0, 7);
      Block kept = block.retain();
      block.close();
      assertThat(kept.rowCount()).isZero();
      kept.close();
    }
  }
}
