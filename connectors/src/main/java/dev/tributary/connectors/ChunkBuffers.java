package dev.tributary.connectors;

import java.lang.ref.SoftReference;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * The heap buffers a row-group read holds its column chunks in, reused from one row group to the
 * next: parquet-mr allocates one per part of the chunks it reads (up to its 8 MiB allocation
 * size) and releases them when the row group's page store is closed, after its last page was
 * decoded (decoded values are copies: nothing points into a buffer once it is released). A new
 * array per part was most of a filtered scan's allocation: ~90 MiB per 10 M rows of W2, arrays
 * the JVM zeroes and G1 handles as humongous objects. Buffers come in power-of-two sizes from
 * {@link #MIN_POOLED} up; a free one is held softly (the collector may take it back) and only
 * while {@link #MAX_FREE_BYTES} are not already free. A buffer is taken back once, and only one
 * handed out here.
 */
final class ChunkBuffers implements ByteBufferAllocator {
  /** The one pool of the process. */
  static final ChunkBuffers SHARED = new ChunkBuffers();
  /** Smaller requests get a plain new buffer. */
  static final int MIN_POOLED = 64 << 10;
  /** At most this many bytes are kept free. */
  static final long MAX_FREE_BYTES = 64L << 20;

  @SuppressWarnings("unchecked")
  private final ConcurrentLinkedQueue<SoftReference<byte[]>>[] free = new ConcurrentLinkedQueue[32];
  /** The arrays handed out and not taken back, by identity. */
  private final Set<byte[]> out = Collections.newSetFromMap(new IdentityHashMap<>());
  private long freeBytes;

  private ChunkBuffers() {
    for (int i = 0; i < free.length; i++) {
      free[i] = new ConcurrentLinkedQueue<>();
    }
  }

  @Override
  public ByteBuffer allocate(int size) {
    if (size < MIN_POOLED) {
      return ByteBuffer.allocate(size);
    }
    int sizeClass = 32 - Integer.numberOfLeadingZeros(size - 1);
    byte[] array = null;
    for (SoftReference<byte[]> ref; array == null && (ref = free[sizeClass].poll()) != null; ) {
      array = ref.get();
      synchronized (this) {
        freeBytes -= 1L << sizeClass;
      }
    }
    if (array == null) {
      array = new byte[1 << sizeClass];
    }
    synchronized (this) {
      out.add(array);
    }
    return ByteBuffer.wrap(array, 0, size).slice();
  }

  @Override
  public void release(ByteBuffer buffer) {
    if (!buffer.hasArray()) {
      return;
    }
    byte[] array = buffer.array();
    synchronized (this) {
      if (!out.remove(array) || freeBytes + array.length > MAX_FREE_BYTES) {
        return;
      }
      freeBytes += array.length;
    }
    free[Integer.numberOfTrailingZeros(array.length)].offer(new SoftReference<>(array));
  }

  @Override
  public boolean isDirect() {
    return false;
  }
}
