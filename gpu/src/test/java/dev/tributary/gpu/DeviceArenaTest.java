package dev.tributary.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.error.TributaryException;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Device memory accounting, checked with a simulated device's allocator (no GPU needed). */
class DeviceArenaTest {
  private final SimulatedDevice device = new SimulatedDevice("fake:0", 1 << 20);
  private final BufferAllocator host = new RootAllocator();

  @AfterEach
  void nothingLeft() {
    assertThat(device.allocatedBytes()).isZero();
    assertThat(host.getAllocatedMemory()).isZero();
    host.close();
  }

  @Test
  void buffersAreChargedToTheirAccountAndReleasedOnClose() {
    try (DeviceArena arena = DeviceArena.create(device.allocator(), 10_000)) {
      DeviceAccount stage = arena.open("stage");
      DeviceAccount other = arena.open("other");
      DeviceBuffer a = stage.allocate(1000);
      stage.allocate(500);
      other.allocate(2000);
      assertThat(arena.heldBytes()).isEqualTo(3500);
      assertThat(arena.usage()).isEqualTo(Map.of("stage", 1500L, "other", 2000L));
      a.close();
      a.close();
      assertThat(stage.heldBytes()).isEqualTo(500);
      stage.close();
      other.close();
      assertThat(arena.heldBytes()).isZero();
      assertThat(arena.peakBytes()).isEqualTo(3500);
      assertThat(arena.usage()).isEmpty();
    }
  }

  @Test
  void anAllocationAboveTheLimitIsATypedErrorAndAllocatesNothing() {
    try (DeviceArena arena = DeviceArena.create(device.allocator(), 4096)) {
      DeviceAccount stage = arena.open("mlp");
      stage.allocate(4000);
      assertThatThrownBy(() -> stage.allocate(100))
          .isInstanceOf(DeviceMemoryException.class).isInstanceOf(TributaryException.class)
          .hasMessageContaining("stage 'mlp'").hasMessageContaining("fake:0")
          .hasMessageContaining("limit").hasMessageContaining("batch size")
          .satisfies(e -> {
            DeviceMemoryException d = (DeviceMemoryException) e;
            assertThat(d.requestedBytes()).isEqualTo(100);
            assertThat(d.heldBytes()).isEqualTo(4000);
            assertThat(d.limitBytes()).isEqualTo(4096);
          });
      assertThat(device.allocatedBytes()).isEqualTo(4000);
      stage.close();
    }
  }

  @Test
  void aDeviceOutOfMemoryIsATypedErrorNotACrash() {
    // The arena's limit is above what the device has free (another process holds the rest).
    try (DeviceArena arena = DeviceArena.create(device.allocator(), 8L << 20)) {
      DeviceAccount stage = arena.open("mlp");
      stage.allocate(1 << 19);
      assertThatThrownBy(() -> stage.allocate(1 << 20))
          .isInstanceOf(DeviceMemoryException.class)
          .hasMessageContaining("out of memory");
      assertThat(arena.heldBytes()).isEqualTo(1 << 19);
      stage.close();
    }
  }

  @Test
  void theLimitIsAFractionOfTheFreeMemory() {
    try (DeviceArena arena = DeviceArena.ofFreeMemory(device.allocator(), 0.25)) {
      assertThat(arena.limitBytes()).isEqualTo((1 << 20) / 4);
    }
    assertThatThrownBy(() -> DeviceArena.ofFreeMemory(device.allocator(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closingAnArenaThatStillHoldsMemoryReportsTheLeakAndFreesIt() {
    DeviceArena arena = DeviceArena.create(device.allocator(), 10_000);
    arena.open("forgotten").allocate(1024);
    assertThatThrownBy(arena::close).isInstanceOf(DeviceMemoryLeakException.class)
        .hasMessageContaining("'forgotten' 1.0 KiB")
        .satisfies(e -> assertThat(((DeviceMemoryLeakException) e).leakedBytes())
            .isEqualTo(1024));
    assertThat(arena.heldBytes()).isZero();
  }

  @Test
  void copiesRoundTripThroughTheDeviceFromOffHeapAddresses() {
    try (DeviceArena arena = DeviceArena.create(device.allocator(), 10_000);
        DeviceAccount stage = arena.open("copy");
        Float8Vector in = new Float8Vector("x", host);
        Float8Vector out = new Float8Vector("y", host)) {
      in.allocateNew(100);
      for (int i = 0; i < 100; i++) {
        in.set(i, i * 1.5);
      }
      in.setValueCount(100);
      out.allocateNew(100);
      out.setValueCount(100);
      DeviceBuffer buffer = stage.allocate(800);
      buffer.copyFromHost(0, in.getDataBuffer(), 0, 800);
      buffer.copyToHost(0, out.getDataBuffer(), 0, 800);
      for (int i = 0; i < 100; i++) {
        assertThat(out.getDataBuffer().getDouble(8L * i)).isEqualTo(i * 1.5);
      }
      assertThatThrownBy(() -> buffer.copyToHost(8, out.getDataBuffer(), 0, 800))
          .isInstanceOf(IndexOutOfBoundsException.class);
      buffer.close();
      assertThatThrownBy(() -> buffer.copyToHost(0, out.getDataBuffer(), 0, 8))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
  }
}
