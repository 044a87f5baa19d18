package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccountingTest {
  private final Arena arena = Arena.create("test", 64 * Bytes.MiB);

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  private static Block longs(Account account, int rows) {
    long[] values = new long[rows];
    for (int i = 0; i < rows; i++) {
      values[i] = i;
    }
    return TestBlocks.of(account, values);
  }

  @Test
  void blockIsChargedToItsOwner() {
    try (Account a = arena.openAccount("a")) {
      Block block = longs(a, 1000);
      assertThat(a.heldBytes()).isEqualTo(block.sizeBytes()).isGreaterThanOrEqualTo(8000);
      assertThat(arena.allocatedBytes()).isEqualTo(block.sizeBytes());
      block.close();
      assertThat(a.heldBytes()).isZero();
    }
  }

  @Test
  void transferMovesTheChargeWithoutChangingTheArenaTotal() {
    try (Account a = arena.openAccount("a"); Account b = arena.openAccount("b")) {
      Block block = longs(a, 100_000);
      long size = block.sizeBytes();
      Block moved = block.transferTo(b);
      assertThat(a.heldBytes()).isZero();
      assertThat(b.heldBytes()).isEqualTo(size);
      assertThat(arena.allocatedBytes()).isEqualTo(size);
      assertThat(arena.peakBytes()).isEqualTo(size);
      assertThat(moved.owner()).isSameAs(b);
      assertThat(TestBlocks.values(moved)[99_999]).isEqualTo(99_999L);
      assertThat(block.isClosed()).isTrue();
      assertThatThrownBy(block::rowCount)
          .isInstanceOf(BlockClosedException.class)
          .hasMessageContaining("transferred to account 'b'");
      moved.close();
    }
  }

  @Test
  void transferToTheOwnerIsANoOp() {
    try (Account a = arena.openAccount("a")) {
      Block block = longs(a, 10);
      assertThat(block.transferTo(a)).isSameAs(block);
      block.close();
    }
  }

  @Test
  void budgetIsSoftAndReportsRoom() {
    try (Account a = arena.openAccount("a", 1 * Bytes.MiB)) {
      assertThat(a.roomBytes()).isEqualTo(Bytes.MiB);
      Block block = longs(a, 256 * 1024); // 2 MiB, over budget: allowed, the budget is soft
      assertThat(a.heldBytes()).isGreaterThan(a.budgetBytes());
      assertThat(a.roomBytes()).isZero();
      a.setBudget(8 * Bytes.MiB);
      assertThat(a.roomBytes()).isEqualTo(8 * Bytes.MiB - block.sizeBytes());
      block.close();
    }
  }

  @Test
  void allocationPastTheArenaLimitIsATypedErrorNamingAccountRequestAndLimit() {
    try (Account a = arena.openAccount("loader")) {
      Block first = longs(a, 6 * 1024 * 1024); // 48 MiB of 64
      assertThatThrownBy(() -> longs(a, 4 * 1024 * 1024)) // 32 MiB more
          .isInstanceOfSatisfying(
              MemoryLimitExceededException.class,
              e -> {
                assertThat(e.account()).isEqualTo("loader");
                assertThat(e.requestedBytes()).isGreaterThanOrEqualTo(32 * Bytes.MiB);
                assertThat(e.limitBytes()).isEqualTo(64 * Bytes.MiB);
              })
          .hasMessageContaining("'loader'")
          .hasMessageContaining("arena 'test'")
          .hasMessageContaining("64.0 MiB");
      assertThat(arena.allocatedBytes()).isEqualTo(first.sizeBytes());
      first.close();
    }
  }

  @Test
  void transferPastTheTargetsHardLimitFailsAndLeavesTheBlockWithItsOwner() {
    try (Account a = arena.openAccount("a");
        Account small = arena.openAccount("small", Bytes.MiB, Bytes.MiB)) {
      Block block = longs(a, 256 * 1024); // 2 MiB
      assertThatThrownBy(() -> block.transferTo(small))
          .isInstanceOfSatisfying(
              MemoryLimitExceededException.class,
              e -> {
                assertThat(e.account()).isEqualTo("small");
                assertThat(e.requestedBytes()).isEqualTo(block.sizeBytes());
                assertThat(e.limitBytes()).isEqualTo(Bytes.MiB);
              });
      assertThat(small.heldBytes()).isZero();
      assertThat(a.heldBytes()).isEqualTo(block.sizeBytes());
      assertThat(TestBlocks.values(block)[12345]).isEqualTo(12345L);
      block.close();
    }
  }

  @Test
  void peakTracksTheHighestFootprint() {
    try (Account a = arena.openAccount("a")) {
      Block one = longs(a, 128 * 1024); // 1 MiB
      Block two = longs(a, 128 * 1024);
      assertThat(one.sizeBytes()).isBetween(Bytes.MiB, Bytes.MiB + 20 * Bytes.KiB);
      long both = one.sizeBytes() + two.sizeBytes();
      one.close();
      two.close();
      Block small = longs(a, 16);
      assertThat(arena.peakBytes()).isEqualTo(both);
      assertThat(a.peakBytes()).isEqualTo(both);
      arena.resetPeak();
      assertThat(arena.peakBytes()).isEqualTo(small.sizeBytes());
      small.close();
    }
  }

  @Test
  void usageAndReportBreakDownByAccount() {
    try (Account big = arena.openAccount("big", 10 * Bytes.MiB);
        Account little = arena.openAccount("little", Bytes.MiB)) {
      Block b1 = longs(big, 128 * 1024);
      Block b2 = longs(little, 16);
      assertThat(arena.usage()).extracting(AccountUsage::name).containsExactly("big", "little");
      assertThat(arena.usage().get(0).heldBytes()).isEqualTo(b1.sizeBytes());
      assertThat(arena.usage().get(0).budgetBytes()).isEqualTo(10 * Bytes.MiB);
      assertThat(arena.report()).contains("big: 1.0 MiB held").contains("64.0 MiB limit");
      b1.close();
      b2.close();
    }
  }

  @Test
  void awaitEmptyReportsWhetherEverythingWasReleased() {
    try (Account a = arena.openAccount("a")) {
      Block block = longs(a, 10);
      assertThat(arena.awaitEmpty(java.time.Duration.ofMillis(20))).isFalse();
      block.close();
      assertThat(arena.awaitEmpty(java.time.Duration.ZERO)).isTrue();
    }
  }

  @Test
  void closingAnArenaWithLiveBlocksNamesTheCulprit() {
    Arena leaky = Arena.create("leaky", 16 * Bytes.MiB);
    Account clean = leaky.openAccount("clean");
    Account culprit = leaky.openAccount("culprit");
    longs(culprit, 1024);
    assertThatThrownBy(leaky::close)
        .isInstanceOf(MemoryLeakException.class)
        .hasMessageContaining("culprit")
        .hasMessageContaining("released now")
        .hasMessageNotContaining("clean:");
    // Closing released what was left: the arena holds nothing and every account is closed.
    assertThat(leaky.allocatedBytes()).isZero();
    assertThat(culprit.heldBytes()).isZero();
    assertThat(clean.heldBytes()).isZero();
  }

  @Test
  void closingAnAccountThatHoldsMemoryIsALeak() {
    Account a = arena.openAccount("holder");
    Block block = longs(a, 10);
    assertThatThrownBy(a::close)
        .isInstanceOf(MemoryLeakException.class)
        .hasMessageContaining("holder");
    block.close();
    a.close();
  }

  @Test
  void closingTwiceOrUsingAClosedBlockIsDetected() {
    try (Account a = arena.openAccount("a")) {
      Block block = longs(a, 10);
      block.close();
      assertThatThrownBy(block::close)
          .isInstanceOf(BlockClosedException.class)
          .hasMessageContaining("already closed");
      assertThatThrownBy(() -> TestBlocks.values(block)).isInstanceOf(BlockClosedException.class);
      assertThatThrownBy(() -> block.transferTo(a)).isInstanceOf(BlockClosedException.class);
      assertThatThrownBy(() -> block.slice(0, 1)).isInstanceOf(BlockClosedException.class);
    }
  }

  @Test
  void blocksDoNotMoveAcrossArenas() {
    try (Arena other = Arena.create("other", Bytes.MiB);
        Account a = arena.openAccount("a");
        Account foreign = other.openAccount("foreign")) {
      Block block = longs(a, 10);
      assertThatThrownBy(() -> block.transferTo(foreign))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("arena 'other'");
      block.close();
      assertThat(other.allocatedBytes()).isZero();
    }
  }

  @Test
  void sliceSharesMemoryAndEachHandleIsClosedOnce() {
    try (Account a = arena.openAccount("a")) {
      Block block = longs(a, 1000);
      Block slice = block.slice(100, 50);
      assertThat(slice.rowCount()).isEqualTo(50);
      assertThat(TestBlocks.values(slice)[0]).isEqualTo(100L);
      block.close();
      assertThat(TestBlocks.values(slice)[49]).isEqualTo(149L);
      assertThat(a.heldBytes()).isPositive();
      slice.close();
      assertThat(a.heldBytes()).isZero();
    }
  }

  @Test
  void badSliceBoundsAreRejected() {
    try (Account a = arena.openAccount("a")) {
      Block block = longs(a, 10);
      assertThatThrownBy(() -> block.slice(5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> block.slice(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
      block.close();
    }
  }

  @Test
  void wrapRejectsVectorsFromAnotherAccount() {
    try (Account a = arena.openAccount("a"); Account b = arena.openAccount("b")) {
      Block block = longs(a, 10);
      assertThatThrownBy(() -> Block.wrap(block.root(), b))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not by account 'b'");
      block.close();
    }
  }

  @Test
  void theRoomSignalFiresOnReleaseOnTransferOutAndOnABudgetRaiseOnly() {
    try (Account a = arena.openAccount("a", Bytes.MiB); Account b = arena.openAccount("b")) {
      AtomicInteger signals = new AtomicInteger();
      a.onRoom(signals::incrementAndGet);
      Block block = longs(a, 1000);
      assertThat(signals).as("allocating gives no room").hasValue(0);
      Block moved = block.transferTo(b);
      assertThat(signals).as("moved out").hasValue(1);
      moved.transferTo(a).close();
      assertThat(signals.get()).as("released").isGreaterThan(1);
      int afterRelease = signals.get();
      a.setBudget(Bytes.KiB);
      assertThat(signals).as("a lower budget gives no room").hasValue(afterRelease);
      a.setBudget(2 * Bytes.MiB);
      assertThat(signals).as("a raise does").hasValue(afterRelease + 1);
      a.onRoom(null);
      longs(a, 10).close();
      assertThat(signals).as("removed").hasValue(afterRelease + 1);
    }
  }
}
