package dev.tributary.operators.exchange;

/**
 * A stable sort of rows by normalized keys ({@link RowOrder.Keys}): returns the permutation that
 * orders them, equal rows in input order. The first key, when it is a long, is sorted by an LSD
 * radix sort over (key, row) pairs (stable, so ties stay in input order), then each run of equal
 * first keys is ordered by the remaining keys (from the first key again when its long is only a
 * string's prefix); nulls of the first key are split off beforehand
 * (they are all equal) and placed first or last. Other keys go through a merge sort of row indices.
 */
final class KeySort {
  /** Below this many rows a merge sort beats the radix sort's fixed passes. */
  private static final int RADIX_MIN_ROWS = 256;
  /** Ranges this short are insertion sorted inside the merge sort. */
  private static final int INSERTION_ROWS = 16;

  private final RowOrder order;
  private final RowOrder.Keys keys;

  private KeySort(RowOrder order, RowOrder.Keys keys) {
    this.order = order;
    this.keys = keys;
  }

  /** The rows of {@code keys} in {@code order}, stably. */
  static int[] sort(RowOrder order, RowOrder.Keys keys) {
    return new KeySort(order, keys).sort();
  }

  private int[] sort() {
    int n = keys.rows;
    long[] first = keys.longs[0];
    if (first == null) {
      int[] all = identity(n);
      mergeSort(all, 0);
      return all;
    }
    boolean[] nulls = keys.nulls[0];
    int nullCount = 0;
    if (nulls != null) {
      for (int i = 0; i < n; i++) {
        if (nulls[i]) {
          nullCount++;
        }
      }
    }
    int[] valueRows = new int[n - nullCount];
    long[] valueKeys = new long[n - nullCount];
    int[] nullRows = new int[nullCount];
    for (int i = 0, v = 0, u = 0; i < n; i++) {
      if (nulls != null && nulls[i]) {
        nullRows[u++] = i;
      } else {
        valueRows[v] = i;
        valueKeys[v++] = first[i];
      }
    }
    sortByFirst(valueKeys, valueRows);
    if (keys.longs.length > 1) {
      mergeSort(nullRows, 1);
    }
    int[] out = new int[n];
    boolean nullsLast = order.nullsLast(0);
    System.arraycopy(nullsLast ? valueRows : nullRows, 0, out, 0,
        nullsLast ? valueRows.length : nullCount);
    System.arraycopy(nullsLast ? nullRows : valueRows, 0, out,
        nullsLast ? valueRows.length : nullCount, nullsLast ? nullCount : valueRows.length);
    return out;
  }

  /** Sorts (key, row) pairs by key stably, then ties by the remaining keys. */
  private void sortByFirst(long[] k, int[] rows) {
    int n = k.length;
    if (n < RADIX_MIN_ROWS) {
      mergeSort(rows, 0);
      for (int i = 0; i < n; i++) {
        k[i] = keys.longs[0][rows[i]];
      }
    } else {
      radixSort(k, rows);
    }
    // Equal longs of a prefix (a string's first bytes) are ordered again from the whole value.
    int tiesFrom = RowOrder.exact(keys, 0) ? 1 : 0;
    if (tiesFrom == keys.longs.length) {
      return;
    }
    int start = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || k[i] != k[start]) {
        if (i - start > 1) {
          mergeSort(rows, start, i, tiesFrom);
        }
        start = i;
      }
    }
  }

  /** LSD radix sort of signed longs by bytes, carrying rows; passes where every byte is equal are skipped. */
  private static void radixSort(long[] k, int[] rows) {
    int n = k.length;
    int[][] counts = new int[8][256];
    for (int i = 0; i < n; i++) {
      long u = k[i] ^ Long.MIN_VALUE;
      for (int b = 0; b < 8; b++) {
        counts[b][(int) (u >>> (b * 8)) & 0xFF]++;
      }
    }
    long[] k2 = new long[n];
    int[] r2 = new int[n];
    long[] srcK = k;
    int[] srcR = rows;
    long[] dstK = k2;
    int[] dstR = r2;
    for (int b = 0; b < 8; b++) {
      int[] c = counts[b];
      if (c[(int) ((srcK[0] ^ Long.MIN_VALUE) >>> (b * 8)) & 0xFF] == n) {
        continue; // every key has the same byte here
      }
      int sum = 0;
      for (int d = 0; d < 256; d++) {
        int t = c[d];
        c[d] = sum;
        sum += t;
      }
      int shift = b * 8;
      for (int i = 0; i < n; i++) {
        long key = srcK[i];
        int d = (int) ((key ^ Long.MIN_VALUE) >>> shift) & 0xFF;
        int at = c[d]++;
        dstK[at] = key;
        dstR[at] = srcR[i];
      }
      long[] tk = srcK;
      srcK = dstK;
      dstK = tk;
      int[] tr = srcR;
      srcR = dstR;
      dstR = tr;
    }
    if (srcK != k) {
      System.arraycopy(srcK, 0, k, 0, n);
      System.arraycopy(srcR, 0, rows, 0, n);
    }
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private void mergeSort(int[] rows, int fromKey) {
    mergeSort(rows, 0, rows.length, fromKey);
  }

  /** A stable merge sort of {@code rows[from, to)} by the keys from {@code fromKey} on. */
  private void mergeSort(int[] rows, int from, int to, int fromKey) {
    if (to - from < 2) {
      return;
    }
    sortRange(rows, to - from <= INSERTION_ROWS ? null : new int[to - from], from, to, fromKey);
  }

  private void sortRange(int[] a, int[] tmp, int from, int to, int fromKey) {
    if (to - from <= INSERTION_ROWS) {
      for (int i = from + 1; i < to; i++) {
        int x = a[i];
        int j = i - 1;
        while (j >= from && compare(a[j], x, fromKey) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = x;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    sortRange(a, tmp, from, mid, fromKey);
    sortRange(a, tmp, mid, to, fromKey);
    if (compare(a[mid - 1], a[mid], fromKey) <= 0) {
      return;
    }
    System.arraycopy(a, from, tmp, 0, mid - from);
    int i = 0;
    int iEnd = mid - from;
    int j = mid;
    int k = from;
    while (i < iEnd && j < to) {
      // Ties take the left (earlier) row: stable.
      if (compare(tmp[i], a[j], fromKey) <= 0) {
        a[k++] = tmp[i++];
      } else {
        a[k++] = a[j++];
      }
    }
    while (i < iEnd) {
      a[k++] = tmp[i++];
    }
  }

  private int compare(int x, int y, int fromKey) {
    return order.compareFrom(fromKey, keys, x, keys, y);
  }
}
