package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Heap memory charged to an account counts like its buffers: held, limits, peak, leaks. */
class HeapChargeTest {
  private static final long G = HeapCharge.GRANULE;
  private final Arena arena = Arena.create("heap", 4 * Bytes.MiB);

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  @Test
  void anEstimateIsChargedInWholeGranulesToTheAccountAndTheArena() {
    try (Account a = arena.openAccount("a"); HeapCharge charge = a.heapCharge()) {
      assertThat(charge.trySet(5 * G + 1)).isTrue();
      assertThat(charge.bytes()).isEqualTo(6 * G);
      assertThat(a.heldBytes()).isEqualTo(6 * G);
      assertThat(arena.allocatedBytes()).isEqualTo(6 * G);
      assertThat(charge.trySet(13 * G)).isTrue();
      assertThat(a.heldBytes()).isEqualTo(13 * G);
      assertThat(charge.trySet(2 * G)).isTrue();
      assertThat(a.heldBytes()).isEqualTo(2 * G);
      assertThat(arena.allocatedBytes()).isEqualTo(2 * G);
      assertThat(arena.peakBytes()).isEqualTo(13 * G);
      assertThat(a.peakBytes()).isEqualTo(13 * G);
      charge.close();
      assertThat(a.heldBytes()).isZero();
      charge.close();
    }
  }

  @Test
  void aGrowthPastTheLimitIsRefusedAndKeepsTheCharge() {
    try (Account a = arena.openAccount("a", 1 * Bytes.MiB, 2 * Bytes.MiB);
        HeapCharge charge = a.heapCharge()) {
      assertThat(charge.trySet(Bytes.MiB)).isTrue();
      assertThat(charge.trySet(3 * Bytes.MiB)).isFalse();
      assertThat(charge.bytes()).isEqualTo(Bytes.MiB);
      assertThat(a.heldBytes()).isEqualTo(Bytes.MiB);
      assertThatThrownBy(() -> charge.set(3 * Bytes.MiB))
          .isInstanceOf(MemoryLimitExceededException.class)
          .hasMessageContaining("'a'");
      assertThat(a.heldBytes()).isEqualTo(Bytes.MiB);
    }
  }

  @Test
  void releasingFiresTheRoomSignalAndAnOpenChargeIsALeak() {
    Account a = arena.openAccount("a");
    AtomicInteger signals = new AtomicInteger();
    a.onRoom(signals::incrementAndGet);
    HeapCharge charge = a.heapCharge();
    charge.set(3 * G);
    assertThatThrownBy(a::close).isInstanceOf(MemoryLeakException.class);
    charge.close();
    assertThat(signals.get()).isPositive();
    a.close();
    assertThatThrownBy(() -> charge.trySet(G)).isInstanceOf(IllegalStateException.class);
  }
}
