package dev.tributary.operators;


/**
 * An open-addressing hash map from {@code long} keys to non-negative {@code int} values (group
 * ids, row numbers), without boxing: each slot a key and its value side by side in one array (a
 * lookup touches one cache line), probed linearly, at most half full, doubled and rehashed as it
 * grows. Every {@code long} is a valid key (a null key is the caller's to keep apart). Not
 * thread-safe.
 */
public final class LongIdTable {
  /** Slot {@code s}: its key at {@code 2s}, its value + 1 at {@code 2s + 1} (0: free). */
  private long[] slots;
  private int mask;
  private int size;

  /** A table sized for about {@code expected} keys before it first grows. */
  public LongIdTable(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
    allocate(Math.max(16, capacity));
  }

  private void allocate(int capacity) {
    slots = new long[2 * capacity];
    mask = capacity - 1;
  }

  /** The number of keys. */
  public int size() {
    return size;
  }

  /** The heap bytes of the table's array. */
  public long heapBytes() {
    return 8L * slots.length;
  }

  /** The value of {@code key}, or -1 when it is absent. */
  public int get(long key) {
    return (int) slots[2 * find(key) + 1] - 1;
  }

  /**
   * The value of {@code key}; when it is absent, {@code value} is put and returned (so a caller
   * numbering keys densely sees a new key as the returned value equal to its next number).
   */
  public int getOrPut(long key, int value) {
    int s = find(key);
    long v = slots[2 * s + 1];
    if (v == 0) {
      insert(s, key, value);
      return value;
    }
    return (int) v - 1;
  }

  /** Puts {@code value} for {@code key}, returning the value it replaced, or -1 when none. */
  public int put(long key, int value) {
    int s = find(key);
    long v = slots[2 * s + 1];
    if (v == 0) {
      insert(s, key, value);
      return -1;
    }
    checkValue(value);
    slots[2 * s + 1] = value + 1L;
    return (int) v - 1;
  }

  /** The slot holding {@code key}, or the empty slot where it would go (linear probing). */
  private int find(long key) {
    long[] t = slots;
    int s = slot(key);
    while (t[2 * s + 1] != 0 && t[2 * s] != key) {
      s = (s + 1) & mask;
    }
    return s;
  }

  private static void checkValue(int value) {
    if (value < 0) {
      throw new IllegalArgumentException("values are non-negative, was " + value);
    }
  }

  private void insert(int s, long key, int value) {
    checkValue(value);
    slots[2 * s] = key;
    slots[2 * s + 1] = value + 1L;
    if (++size * 2 > mask + 1) {
      rehash();
    }
  }

  private void rehash() {
    long[] old = slots;
    allocate(old.length); // twice the slots: each takes two longs
    for (int o = 0; o < old.length; o += 2) {
      if (old[o + 1] != 0) {
        int s = slot(old[o]);
        while (slots[2 * s + 1] != 0) {
          s = (s + 1) & mask;
        }
        slots[2 * s] = old[o];
        slots[2 * s + 1] = old[o + 1];
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
