package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Chunk buffers: each has the size asked for; one taken back twice, or one never handed out,
 * never goes to two readers at once.
 */
class ChunkBuffersTest {
  private final ChunkBuffers pool = ChunkBuffers.SHARED;

  @Test
  void aBufferHasTheSizeAskedForFromPositionZero() {
    for (int size : new int[] {10, ChunkBuffers.MIN_POOLED, 100_000, 3 << 20}) {
      ByteBuffer b = pool.allocate(size);
      assertThat(b.position()).isZero();
      assertThat(b.remaining()).isEqualTo(size);
      assertThat(b.capacity()).isEqualTo(size);
      assertThat(b.arrayOffset()).isZero();
      pool.release(b);
    }
  }

  @Test
  void aBufferTakenBackTwiceOrNeverHandedOutGoesToOneReaderAtMost() {
    ByteBuffer a = pool.allocate(200_000);
    pool.release(a);
    pool.release(a);
    pool.release(ByteBuffer.allocate(1 << 18)); // not from the pool: dropped
    ByteBuffer b = pool.allocate(200_000);
    ByteBuffer c = pool.allocate(200_000);
    assertThat(b.array()).isNotSameAs(c.array());
    pool.release(b);
    pool.release(c);
  }
}
