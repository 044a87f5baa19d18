package dev.tributary.columnar;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Seeded columns of every supported type, with nulls and edge values, for round-trip tests. */
final class TestData {
  private TestData() {}

  /** Column name to Java array, {@code rows} rows, deterministic for a seed. */
  static Map<String, Object> columns(int rows, long seed) {
    Random r = new Random(seed);
    long[] longs = new long[rows];
    Long[] nullableLongs = new Long[rows];
    int[] ints = new int[rows];
    Integer[] nullableInts = new Integer[rows];
    double[] doubles = new double[rows];
    Double[] nullableDoubles = new Double[rows];
    float[] floats = new float[rows];
    Float[] nullableFloats = new Float[rows];
    boolean[] booleans = new boolean[rows];
    Boolean[] nullableBooleans = new Boolean[rows];
    String[] strings = new String[rows];
    byte[][] binaries = new byte[rows][];
    float[][] tensors = new float[rows][];
    long[] edgeLongs = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1};
    double[] edgeDoubles = {Double.NaN, -0.0, Double.POSITIVE_INFINITY, Double.MIN_VALUE};
    for (int i = 0; i < rows; i++) {
      boolean isNull = r.nextInt(5) == 0;
      longs[i] = i < edgeLongs.length ? edgeLongs[i] : r.nextLong();
      nullableLongs[i] = isNull ? null : r.nextLong();
      ints[i] = r.nextInt();
      nullableInts[i] = isNull ? null : r.nextInt();
      doubles[i] = i < edgeDoubles.length ? edgeDoubles[i] : r.nextGaussian();
      nullableDoubles[i] = isNull ? null : r.nextDouble();
      floats[i] = i == 0 ? Float.NaN : r.nextFloat();
      nullableFloats[i] = isNull ? null : r.nextFloat();
      booleans[i] = r.nextBoolean();
      nullableBooleans[i] = isNull ? null : r.nextBoolean();
      strings[i] = isNull ? null : (i % 7 == 0 ? "" : "s" + r.nextInt(1000) + "\u00e9\u6f22");
      if (!isNull) {
        binaries[i] = new byte[r.nextInt(20)];
        r.nextBytes(binaries[i]);
      }
      if (!isNull) {
        tensors[i] = new float[] {r.nextFloat(), r.nextFloat(), r.nextFloat()};
      }
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("long", longs);
    columns.put("long?", nullableLongs);
    columns.put("int", ints);
    columns.put("int?", nullableInts);
    columns.put("double", doubles);
    columns.put("double?", nullableDoubles);
    columns.put("float", floats);
    columns.put("float?", nullableFloats);
    columns.put("boolean", booleans);
    columns.put("boolean?", nullableBooleans);
    columns.put("string", strings);
    columns.put("binary", binaries);
    return columns;
  }

  /** Seeded 3-wide tensors with every fifth row null. */
  static float[][] tensors(int rows, long seed) {
    Random r = new Random(seed);
    float[][] out = new float[rows][];
    for (int i = 0; i < rows; i++) {
      out[i] = i % 5 == 0 ? null : new float[] {r.nextFloat(), i, -i};
    }
    return out;
  }

  /** Builds a block with every column of {@link #columns} plus a 3-wide tensor column. */
  static Block block(Account account, int rows, long seed) {
    BlockBuilder builder = BlockBuilder.in(account);
    columns(rows, seed).forEach(builder::column);
    return builder.tensors("tensor", tensors(rows, seed), 3).build();
  }
}
