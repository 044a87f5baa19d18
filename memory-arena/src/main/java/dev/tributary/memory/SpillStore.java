package dev.tributary.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.map.ChronicleMap;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * Off-heap blocks parked on disk: a Chronicle Map persisted to a file in a spill directory,
 * holding each block as Arrow IPC stream bytes cut into fixed-size chunks (so a block of any size
 * fits the map's entry-size limits).
 *
 * <p>{@link #put(Block)} writes a block and returns a handle (the block stays open: the caller
 * closes it to free its memory); {@link #get(SpillHandle, Account)} reads it back charged to any
 * account, as often as needed; {@link #delete(SpillHandle)} frees its disk space for reuse. The
 * map file is sparse and sized from the capacity given; {@link #close()} deletes it.
 *
 * <p>Thread-safe. Reads and writes block on disk I/O: call them from I/O threads, never from
 * Reactor's non-blocking schedulers.
 */
public final class SpillStore implements AutoCloseable {
  /** Default chunk size: large enough for fast writes, small enough to waste little per block. */
  public static final int DEFAULT_CHUNK_BYTES = 1 << 20;
  /** The smallest chunk size accepted. */
  public static final int MIN_CHUNK_BYTES = 4 << 10;
  private static final int CHUNK_BITS = 24;

  private final Path file;
  private final int chunkBytes;
  private final long capacityBytes;
  private final ChronicleMap<Long, byte[]> map;
  private final AtomicLong nextId = new AtomicLong();
  private final ConcurrentHashMap<Long, SpillHandle> live = new ConcurrentHashMap<>();
  private final AtomicLong spilled = new AtomicLong();
  private final AtomicLong restored = new AtomicLong();
  private final AtomicLong onDisk = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  private SpillStore(Path directory, long capacityBytes, int chunkBytes) {
    this.chunkBytes = chunkBytes;
    this.capacityBytes = capacityBytes;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new SpillException("cannot create spill directory " + directory, e);
    }
    this.file = directory.resolve("tributary-spill-" + UUID.randomUUID() + ".cm");
    long entries = Math.max(64, capacityBytes / chunkBytes + 16);
    try {
      this.map =
          ChronicleMap.of(Long.class, byte[].class)
              .name("tributary-spill")
              .entries(entries)
              .averageValueSize(chunkBytes)
              .maxBloatFactor(4)
              .sparseFile(true)
              .createPersistedTo(file.toFile());
    } catch (IOException e) {
      throw new SpillException("cannot create spill file " + file, e);
    }
  }

  /**
   * Opens a store in {@code directory} (created if missing) for up to about {@code
   * capacityBytes} of spilled data, in chunks of {@link #DEFAULT_CHUNK_BYTES}.
   */
  public static SpillStore open(Path directory, long capacityBytes) {
    return open(directory, capacityBytes, DEFAULT_CHUNK_BYTES);
  }

  /** Opens a store with an explicit chunk size ({@link #MIN_CHUNK_BYTES} at least). */
  public static SpillStore open(Path directory, long capacityBytes, int chunkBytes) {
    Objects.requireNonNull(directory, "directory");
    if (capacityBytes <= 0) {
      throw new IllegalArgumentException("capacityBytes must be positive, was " + capacityBytes);
    }
    if (chunkBytes < MIN_CHUNK_BYTES) {
      throw new IllegalArgumentException(
          "chunkBytes must be at least " + MIN_CHUNK_BYTES + ", was " + chunkBytes);
    }
    return new SpillStore(directory, capacityBytes, chunkBytes);
  }

  /**
   * Writes a block to disk. The block is left open and still owned by its account.
   *
   * @throws SpillException if the store is full or the write fails; nothing of the block stays
   *     in the store then
   */
  public SpillHandle put(Block block) {
    ensureOpen();
    long id = nextId.getAndIncrement();
    ChunkWriter out = new ChunkWriter(id);
    VectorSchemaRoot root = block.root();
    try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
      writer.start();
      writer.writeBatch();
      writer.end();
      out.flushChunk();
    } catch (IOException | RuntimeException e) {
      removeChunks(id, out.chunk + 1);
      throw new SpillException(
          "cannot spill a " + Bytes.format(block.sizeBytes()) + " block to " + file
              + " (store capacity " + Bytes.format(capacityBytes) + ", "
              + Bytes.format(onDisk.get()) + " on disk)",
          e instanceof UncheckedIOException u ? u.getCause() : e);
    }
    SpillHandle handle =
        new SpillHandle(id, out.chunk, out.written, root.getRowCount(), block.sizeBytes());
    live.put(id, handle);
    spilled.addAndGet(out.written);
    onDisk.addAndGet(out.written);
    return handle;
  }

  /**
   * Reads a spilled block back; the new block is charged to {@code account}. The spilled copy
   * stays until {@link #delete(SpillHandle)}.
   *
   * @throws MemoryLimitExceededException if the account cannot hold the block
   * @throws SpillException if the handle is not live in this store
   */
  public Block get(SpillHandle handle, Account account) {
    ensureOpen();
    Objects.requireNonNull(account, "account");
    checkLive(handle);
    return account.allocate(() -> {
      try (ArrowStreamReader reader =
          new ArrowStreamReader(new ChunkReader(handle), account.allocator())) {
        if (!reader.loadNextBatch()) {
          throw new SpillException("spilled block " + handle.id() + " has no record batch", null);
        }
        restored.addAndGet(handle.bytes());
        return Block.adopt(reader.getVectorSchemaRoot(), account);
      } catch (IOException e) {
        throw new SpillException("cannot read spilled block " + handle.id() + " from " + file, e);
      }
    });
  }

  /** Frees a spilled block's disk space for reuse; its handle is no longer valid. */
  public void delete(SpillHandle handle) {
    ensureOpen();
    checkLive(handle);
    if (live.remove(handle.id()) != null) {
      removeChunks(handle.id(), handle.chunks());
      onDisk.addAndGet(-handle.bytes());
    }
  }

  /** Total IPC bytes written since the store opened. */
  public long bytesSpilled() {
    return spilled.get();
  }

  /** Total IPC bytes read back since the store opened. */
  public long bytesRestored() {
    return restored.get();
  }

  /** IPC bytes of the blocks stored now (written and not deleted). */
  public long bytesOnDisk() {
    return onDisk.get();
  }

  /** How many blocks are stored now. */
  public int blockCount() {
    return live.size();
  }

  /** The map file this store writes. */
  public Path file() {
    return file;
  }

  /** Closes the map and deletes its file; live handles become invalid. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      map.close();
    } finally {
      live.clear();
      onDisk.set(0);
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new SpillException("cannot delete spill file " + file, e);
      }
    }
  }

  private void checkLive(SpillHandle handle) {
    Objects.requireNonNull(handle, "handle");
    if (live.get(handle.id()) != handle) {
      throw new SpillException(
          "spill handle " + handle.id() + " is not live in " + file
              + " (deleted, or from another store)",
          null);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("spill store " + file + " is closed");
    }
  }

  private void removeChunks(long id, int chunks) {
    for (int i = 0; i < chunks; i++) {
      map.remove(key(id, i));
    }
  }

  private static long key(long id, int chunk) {
    return (id << CHUNK_BITS) | chunk;
  }

  /** Cuts the IPC stream into chunk-sized map entries as it is written. */
  private final class ChunkWriter implements WritableByteChannel {
    private final long id;
    private final byte[] buffer = new byte[chunkBytes];
    private int filled;
    int chunk;
    long written;

    ChunkWriter(long id) {
      this.id = id;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      while (src.hasRemaining()) {
        int take = Math.min(src.remaining(), buffer.length - filled);
        src.get(buffer, filled, take);
        filled += take;
        if (filled == buffer.length) {
          flushChunk();
        }
      }
      return n;
    }

    void flushChunk() {
      if (filled == 0) {
        return;
      }
      if (chunk >= (1 << CHUNK_BITS)) {
        throw new IllegalStateException("block too large for the spill chunk size");
      }
      byte[] value = filled == buffer.length ? buffer : Arrays.copyOf(buffer, filled);
      map.put(key(id, chunk), value);
      chunk++;
      written += filled;
      filled = 0;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** Reads a spilled block's chunks back in order as one stream. */
  private final class ChunkReader implements ReadableByteChannel {
    private final SpillHandle handle;
    private int next;
    private ByteBuffer current = ByteBuffer.allocate(0);

    ChunkReader(SpillHandle handle) {
      this.handle = handle;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (!current.hasRemaining()) {
        if (next >= handle.chunks()) {
          return -1;
        }
        byte[] bytes = map.get(key(handle.id(), next));
        if (bytes == null) {
          throw new IOException("chunk " + next + " of spilled block " + handle.id() + " missing");
        }
        next++;
        current = ByteBuffer.wrap(bytes);
      }
      int n = Math.min(dst.remaining(), current.remaining());
      ByteBuffer slice = current.slice();
      slice.limit(n);
      dst.put(slice);
      current.position(current.position() + n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
