package dev.tributary.operators;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An open-addressing hash table from byte-string keys ({@link KeyBytes}' normalised rows) to
 * dense ids 0, 1, 2, ... in the order the keys were first put, without an object per key: the
 * keys' bytes one after the other in one array, each id's start and 64-bit hash in two more,
 * and the slots (id + 1, 0: free) probed linearly by the hash's low bits, at most half full.
 * Not thread-safe.
 */
public final class ByteKeyTable {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long M = 0x9E3779B97F4A7C15L;

  private byte[] bytes = new byte[1 << 10];
  /** Key {@code id}'s bytes are {@code bytes[starts[id] .. starts[id + 1])}. */
  private int[] starts = new int[17];
  private long[] hashes = new long[16];
  private int[] slots;
  private int mask;
  private int size;

  /** An empty table. */
  public ByteKeyTable() {
    slots = new int[32];
    mask = 31;
  }

  /** The number of keys. */
  public int size() {
    return size;
  }

  /** The heap bytes of the table's arrays. */
  public long heapBytes() {
    return bytes.length + 4L * starts.length + 8L * hashes.length + 4L * slots.length;
  }

  /** The id of the first {@code length} bytes of {@code key} (hashed {@code hash}), or -1. */
  public int get(byte[] key, int length, long hash) {
    int s = (int) hash & mask;
    while (true) {
      int v = slots[s];
      if (v == 0) {
        return -1;
      }
      int id = v - 1;
      if (hashes[id] == hash && Arrays.equals(bytes, starts[id], starts[id + 1], key, 0, length)) {
        return id;
      }
      s = (s + 1) & mask;
    }
  }

  /**
   * The id of the first {@code length} bytes of {@code key} (whose {@link #hash} is {@code
   * hash}); when absent, the key is added with the next id ({@link #size()} before the call).
   */
  public int getOrPut(byte[] key, int length, long hash) {
    int s = (int) hash & mask;
    while (true) {
      int v = slots[s];
      if (v == 0) {
        return add(s, key, length, hash);
      }
      int id = v - 1;
      if (hashes[id] == hash && Arrays.equals(bytes, starts[id], starts[id + 1], key, 0, length)) {
        return id;
      }
      s = (s + 1) & mask;
    }
  }

  private int add(int slot, byte[] key, int length, long hash) {
    int id = size++;
    if (id == hashes.length) {
      hashes = Arrays.copyOf(hashes, 2 * hashes.length);
      starts = Arrays.copyOf(starts, hashes.length + 1);
    }
    int start = starts[id];
    if (start + length > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(start + length, 2 * bytes.length));
    }
    System.arraycopy(key, 0, bytes, start, length);
    starts[id + 1] = start + length;
    hashes[id] = hash;
    slots[slot] = id + 1;
    if (2 * size > mask) {
      rehash();
    }
    return id;
  }

  private void rehash() {
    slots = new int[2 * slots.length];
    mask = slots.length - 1;
    for (int id = 0; id < size; id++) {
      int s = (int) hashes[id] & mask;
      while (slots[s] != 0) {
        s = (s + 1) & mask;
      }
      slots[s] = id + 1;
    }
  }

  /** The hash of key {@code id}. */
  public long hash(int id) {
    return hashes[id];
  }

  /** The array holding every key's bytes (valid until the next put). */
  public byte[] bytes() {
    return bytes;
  }

  /** Where key {@code id}'s bytes start in {@link #bytes()}. */
  public int start(int id) {
    return starts[id];
  }

  /**
   * The hash of the first {@code length} bytes of {@code key}: eight bytes at a time, mixed by
   * multiplication, then MurmurHash3's finaliser (its low bits pick slots, its high bits
   * partitions: both well spread).
   */
  public static long hash(byte[] key, int length) {
    long h = length * M;
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      h = (h ^ (long) LONGS.get(key, i)) * M;
      h ^= h >>> 29;
    }
    long tail = 0;
    for (int shift = 0; i < length; i++, shift += 8) {
      tail |= (key[i] & 0xFFL) << shift;
    }
    h = (h ^ tail) * M;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
