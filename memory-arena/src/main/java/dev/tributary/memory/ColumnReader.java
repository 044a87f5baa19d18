package dev.tributary.memory;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/** Reads Arrow vectors back into the Java arrays {@link BlockBuilder} accepts. */
final class ColumnReader {
  private ColumnReader() {}

  static long[] longs(FieldVector vector) {
    BigIntVector v = as(vector, BigIntVector.class, "int64");
    long[] out = new long[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  static int[] ints(FieldVector vector) {
    IntVector v = as(vector, IntVector.class, "int32");
    int[] out = new int[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  static double[] doubles(FieldVector vector) {
    Float8Vector v = as(vector, Float8Vector.class, "float64");
    double[] out = new double[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  static float[] floats(FieldVector vector) {
    Float4Vector v = as(vector, Float4Vector.class, "float32");
    float[] out = new float[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  static boolean[] booleans(FieldVector vector) {
    BitVector v = as(vector, BitVector.class, "boolean");
    boolean[] out = new boolean[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i) != 0;
    }
    return out;
  }

  static String[] strings(FieldVector vector) {
    VarCharVector v = as(vector, VarCharVector.class, "utf8");
    String[] out = new String[v.getValueCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.isNull(i) ? null : new String(v.get(i), java.nio.charset.StandardCharsets.UTF_8);
    }
    return out;
  }

  static byte[][] binaries(FieldVector vector) {
    VarBinaryVector v = as(vector, VarBinaryVector.class, "binary");
    byte[][] out = new byte[v.getValueCount()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.isNull(i) ? null : v.get(i);
    }
    return out;
  }

  static float[][] tensors(FieldVector vector) {
    FixedSizeListVector v = as(vector, FixedSizeListVector.class, "fixed-size list (tensor)");
    if (!(v.getDataVector() instanceof Float4Vector data)) {
      throw new ColumnException(
          v.getName(), "is a fixed-size list of " + v.getDataVector().getField().getType()
              + ", not of float32");
    }
    int dim = v.getListSize();
    float[][] out = new float[v.getValueCount()][];
    for (int i = 0; i < out.length; i++) {
      if (v.isNull(i)) {
        continue;
      }
      float[] row = new float[dim];
      for (int j = 0; j < dim; j++) {
        row[j] = data.get(i * dim + j);
      }
      out[i] = row;
    }
    return out;
  }

  static Object[] values(FieldVector vector) {
    Object[] out = new Object[vector.getValueCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = JavaValues.get(vector, i);
    }
    return out;
  }

  private static <V extends FieldVector> V as(FieldVector vector, Class<V> type, String arrow) {
    if (!type.isInstance(vector)) {
      throw new ColumnException(
          vector.getName(), "is " + vector.getField().getType() + ", not " + arrow);
    }
    return type.cast(vector);
  }

  private static int nonNull(FieldVector v) {
    if (v.getNullCount() > 0) {
      throw new ColumnException(
          v.getName(), "has " + v.getNullCount() + " nulls; read it with values(column)");
    }
    return v.getValueCount();
  }
}
