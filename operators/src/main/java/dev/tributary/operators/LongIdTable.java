package dev.tributary.operators;

import java.util.Arrays;

/**
 * An open-addressing hash map from {@code long} keys to non-negative {@code int} values (group
 * ids, row numbers), without boxing: keys and values in two parallel arrays probed linearly, at
 * most half full, doubled and rehashed as it grows. Every {@code long} is a valid key (a null key
 * is the caller's to keep apart). Not thread-safe.
 */
public final class LongIdTable {
  private static final int EMPTY = -1;

  private long[] keys;
  /** The value of each slot, {@link #EMPTY} when the slot is free. */
  private int[] values;
  private int mask;
  private int size;

  /** A table sized for about {@code expected} keys before it first grows. */
  public LongIdTable(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
    allocate(Math.max(16, capacity));
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    values = new int[capacity];
    Arrays.fill(values, EMPTY);
    mask = capacity - 1;
  }

  /** The number of keys. */
  public int size() {
    return size;
  }

  /** The heap bytes of the table's arrays. */
  public long heapBytes() {
    return 12L * keys.length;
  }

  /** The value of {@code key}, or -1 when it is absent. */
  public int get(long key) {
    int slot = slot(key);
    while (true) {
      int v = values[slot];
      if (v == EMPTY || keys[slot] == key) {
        return v;
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * The value of {@code key}; when it is absent, {@code value} is put and returned (so a caller
   * numbering keys densely sees a new key as the returned value equal to its next number).
   */
  public int getOrPut(long key, int value) {
    int slot = slot(key);
    while (true) {
      int v = values[slot];
      if (v == EMPTY) {
        insert(slot, key, value);
        return value;
      }
      if (keys[slot] == key) {
        return v;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Puts {@code value} for {@code key}, returning the value it replaced, or -1 when none. */
  public int put(long key, int value) {
    int slot = slot(key);
    while (true) {
      int v = values[slot];
      if (v == EMPTY) {
        insert(slot, key, value);
        return EMPTY;
      }
      if (keys[slot] == key) {
        values[slot] = value;
        return v;
      }
      slot = (slot + 1) & mask;
    }
  }

  private void insert(int slot, long key, int value) {
    if (value < 0) {
      throw new IllegalArgumentException("values are non-negative, was " + value);
    }
    keys[slot] = key;
    values[slot] = value;
    if (++size * 2 > keys.length) {
      rehash();
    }
  }

  private void rehash() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    allocate(oldKeys.length * 2);
    for (int s = 0; s < oldKeys.length; s++) {
      if (oldValues[s] != EMPTY) {
        int slot = slot(oldKeys[s]);
        while (values[slot] != EMPTY) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = oldKeys[s];
        values[slot] = oldValues[s];
      }
    }
  }

  private int slot(long key) {
    return (int) hash(key) & mask;
  }

  /** A well-mixed hash of {@code key} (also what callers partition by). */
  public static long hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 29) ^ (h >>> 47);
  }
}
