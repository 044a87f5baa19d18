package dev.tributary.columnar;

import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/**
 * Reads a block's columns back into the Java arrays {@link BlockBuilder} accepts: {@code
 * ColumnReader.longs(block, "id")}. Every method throws {@link ColumnException} if there is no such
 * column or it has another type.
 */
public final class ColumnReader {
  private ColumnReader() {}

  /** Reads a non-null int64 column. */
  public static long[] longs(Block block, String column) {
    FieldVector vector = block.vector(column);
    BigIntVector v = as(vector, BigIntVector.class, "int64");
    long[] out = new long[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  /** Reads a non-null int32 column. */
  public static int[] ints(Block block, String column) {
    FieldVector vector = block.vector(column);
    IntVector v = as(vector, IntVector.class, "int32");
    int[] out = new int[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  /** Reads a non-null float64 column. */
  public static double[] doubles(Block block, String column) {
    FieldVector vector = block.vector(column);
    Float8Vector v = as(vector, Float8Vector.class, "float64");
    double[] out = new double[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  /** Reads a non-null float32 column. */
  public static float[] floats(Block block, String column) {
    FieldVector vector = block.vector(column);
    Float4Vector v = as(vector, Float4Vector.class, "float32");
    float[] out = new float[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  /** Reads a non-null boolean column. */
  public static boolean[] booleans(Block block, String column) {
    FieldVector vector = block.vector(column);
    BitVector v = as(vector, BitVector.class, "boolean");
    boolean[] out = new boolean[nonNull(v)];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i) != 0;
    }
    return out;
  }

  /** Reads a utf8 column; null values come back as {@code null}. */
  public static String[] strings(Block block, String column) {
    FieldVector vector = block.vector(column);
    VarCharVector v = as(vector, VarCharVector.class, "utf8");
    String[] out = new String[v.getValueCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.isNull(i) ? null : new String(v.get(i), StandardCharsets.UTF_8);
    }
    return out;
  }

  /** Reads a binary column; null values come back as {@code null}. */
  public static byte[][] binaries(Block block, String column) {
    FieldVector vector = block.vector(column);
    VarBinaryVector v = as(vector, VarBinaryVector.class, "binary");
    byte[][] out = new byte[v.getValueCount()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.isNull(i) ? null : v.get(i);
    }
    return out;
  }

  /** Reads a fixed-size float32 tensor column, one array per row; null rows as {@code null}. */
  public static float[][] tensors(Block block, String column) {
    FieldVector vector = block.vector(column);
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

  /**
   * Reads any column as Java values with nulls kept, one per row, as {@link JavaValues} maps
   * them ({@code Long}, {@code String}, {@code LocalDate}, {@code List}, {@code Map}, ...).
   */
  public static Object[] values(Block block, String column) {
    FieldVector vector = block.vector(column);
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
