package dev.tributary.expr;

/** List and struct access: element, size and field, over Arrow's offsets and child columns. */
final class NestedKernels {
  private NestedKernels() {}

  /** The number of elements of each list, int64. */
  static Vec size(Vec x) {
    long[] r = new long[x.n];
    for (int i = 0; i < x.n; i++) {
      r[i] = x.offsets[i + 1] - x.offsets[i];
    }
    return Vec.ofLongs(r, x.n, x.valid);
  }

  /**
   * Element {@code index} of each list (negative: from the end): the child's rows gathered once,
   * null where the list is null, too short, or the element itself is null.
   */
  static Vec element(Vec x, int index) {
    int n = x.n;
    int[] rows = new int[n];
    long[] found = new long[Vec.words(n)];
    for (int i = 0; i < n; i++) {
      int from = x.offsets[i];
      int size = x.offsets[i + 1] - from;
      int k = index < 0 ? size + index : index;
      if (k >= 0 && k < size && x.isValid(i)) {
        rows[i] = from + k;
        Vec.set(found, i);
      }
    }
    if (x.child.n == 0) {
      // No element in any list of the block: every row is null.
      return nulls(x.child, n);
    }
    Vec e = x.child.take(rows, n);
    return withValidity(e, Vec.both(e.valid, found));
  }

  /** Field {@code name} of each struct, null where the struct is. */
  static Vec field(Vec x, String name) {
    for (int c = 0; c < x.names.length; c++) {
      if (x.names[c].equals(name)) {
        Vec f = x.children[c];
        return x.valid == null ? f : withValidity(f, Vec.both(f.valid, x.valid));
      }
    }
    throw new IllegalStateException("typed field " + name + " missing");
  }

  /** {@code v} with validity {@code valid}, sharing its values. */
  private static Vec withValidity(Vec v, long[] valid) {
    Vec r = new Vec(v.type, v.n, valid);
    r.longs = v.longs;
    r.doubles = v.doubles;
    r.bits = v.bits;
    r.bytes = v.bytes;
    r.offsets = v.offsets;
    r.zone = v.zone;
    r.child = v.child;
    r.names = v.names;
    r.children = v.children;
    return r;
  }

  /** {@code n} nulls of {@code like}'s type (and children). */
  private static Vec nulls(Vec like, int n) {
    long[] none = new long[Vec.words(n)];
    return switch (like.type) {
      case INT64, DATE, TIMESTAMP, TIMESTAMP_TZ -> Vec.ofLongs(like.type, new long[n], n, none,
          like.zone);
      case FLOAT64 -> Vec.ofDoubles(new double[n], n, none);
      case BOOLEAN -> Vec.ofBits(new long[Vec.words(n)], n, none);
      case UTF8 -> Vec.ofStrings(new byte[0], new int[n + 1], n, none);
      case LIST -> Vec.ofList(new int[n + 1], nulls(like.child, 0), n, none);
      case STRUCT -> {
        Vec[] c = new Vec[like.children.length];
        for (int f = 0; f < c.length; f++) {
          c[f] = nulls(like.children[f], n);
        }
        yield Vec.ofStruct(like.names, c, n, none);
      }
    };
  }
}
