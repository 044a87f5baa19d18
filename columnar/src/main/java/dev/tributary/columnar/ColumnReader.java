package dev.tributary.columnar;

import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Reads a block's columns back into the Java arrays {@link BlockBuilder} accepts: {@code
 * ColumnReader.longs(block, "id")}. Every method throws {@link ColumnException} if there is no such
 * column or it has another type.
 */
public final class ColumnReader {
  private static final ArrowType FLOAT32 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  private ColumnReader() {}

  /** Reads a non-null int64 column. */
  public static long[] longs(Block block, String column) {
    return (long[]) primitives(block.vector(column), ColumnType.INT64, "int64");
  }

  /** Reads a non-null int32 column. */
  public static int[] ints(Block block, String column) {
    return (int[]) primitives(block.vector(column), ColumnType.INT32, "int32");
  }

  /** Reads a non-null float64 column. */
  public static double[] doubles(Block block, String column) {
    return (double[]) primitives(block.vector(column), ColumnType.FLOAT64, "float64");
  }

  /** Reads a non-null float32 column. */
  public static float[] floats(Block block, String column) {
    return (float[]) primitives(block.vector(column), ColumnType.FLOAT32, "float32");
  }

  /** Reads a non-null boolean column. */
  public static boolean[] booleans(Block block, String column) {
    return (boolean[]) primitives(block.vector(column), ColumnType.BOOL, "boolean");
  }

  /** Reads a utf8 column; null values come back as {@code null}. */
  public static String[] strings(Block block, String column) {
    return (String[]) boxed(as(block.vector(column), ColumnType.UTF8, "utf8"), ColumnType.UTF8);
  }

  /** Reads a binary column; null values come back as {@code null}. */
  public static byte[][] binaries(Block block, String column) {
    return (byte[][]) boxed(as(block.vector(column), ColumnType.BINARY, "binary"),
        ColumnType.BINARY);
  }

  /**
   * Reads a fixed-size float32 tensor column, one array per row (row-major, all dimensions of
   * nested fixed-size lists flattened: an image is {@code height * width * channels} values);
   * null rows as {@code null}.
   *
   * @throws ColumnException if it is not such a column, or an inner level has a null
   */
  public static float[][] tensors(Block block, String column) {
    return tensors(block.vector(column));
  }

  private static float[][] tensors(FieldVector vector) {
    FixedSizeListVector v = (FixedSizeListVector) as(vector, ColumnType.FIXED_LIST,
        "fixed-size list (tensor)");
    int dim = v.getListSize();
    FieldVector leaf = (FieldVector) v.getDataVector();
    while (leaf instanceof FixedSizeListVector inner) {
      if (inner.getNullCount() > 0) {
        throw new ColumnException(v.getName(), "has a null inside a tensor row");
      }
      dim *= inner.getListSize();
      leaf = (FieldVector) inner.getDataVector();
    }
    if (!(leaf instanceof Float4Vector data)) {
      throw new ColumnException(
          v.getName(), "is a fixed-size list of " + leaf.getField().getType()
              + ", not of float32");
    }
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

  /** Whether {@code field} is a float32 tensor: fixed-size lists (nested or not) of float32. */
  private static boolean isTensor(Field field) {
    Field f = field;
    while (f.getType() instanceof ArrowType.FixedSizeList) {
      f = f.getChildren().get(0);
    }
    return f != field && f.getType().equals(FLOAT32);
  }

  /**
   * Reads any column as Java values with nulls kept, one per row, as {@link JavaValues} maps
   * them ({@code Long}, {@code String}, {@code LocalDate}, {@code List}, {@code Map}, ...).
   */
  public static Object[] values(Block block, String column) {
    FieldVector vector = block.vector(column);
    ColumnType type = ColumnType.of(vector);
    Object[] out = new Object[vector.getValueCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = JavaValues.get(type, vector, i);
    }
    return out;
  }

  /**
   * Reads a column as the Java array a column batch holds (the {@code mapBatches} format): a
   * primitive array for a non-nullable int64, int32, float64, float32 or boolean column, {@code
   * float[][]} for a float32 tensor column (nested dimensions flattened), else an array of the type's {@linkplain
   * ColumnType#javaClass() Java class} ({@code Long[]}, {@code String[]}, {@code LocalDate[]},
   * ..., {@code Object[]} for lists, maps and structs) with nulls kept.
   */
  public static Object array(Block block, String column) {
    FieldVector vector = block.vector(column);
    ColumnType type = ColumnType.of(vector);
    Field field = vector.getField();
    if (isTensor(field)) {
      return tensors(vector);
    }
    if (!field.isNullable() && type.hasPrimitiveArray()) {
      return type.primitives(vector, nonNull(vector));
    }
    return boxed(vector, type);
  }

  private static Object primitives(FieldVector vector, ColumnType type, String arrow) {
    return type.primitives(as(vector, type, arrow), nonNull(vector));
  }

  /** Every slot of {@code vector} in an array of {@code type}'s Java class, nulls kept. */
  private static Object boxed(FieldVector vector, ColumnType type) {
    if (type == ColumnType.UTF8 && vector instanceof VarCharVector v) {
      return strings(v);
    }
    int rows = vector.getValueCount();
    Object out = Array.newInstance(type.javaClass(), rows);
    Object[] slots = (Object[]) out;
    for (int i = 0; i < rows; i++) {
      slots[i] = JavaValues.get(type, vector, i);
    }
    return out;
  }

  /**
   * A utf8 column's values: its bytes copied out once, each string decoded from its range (not a
   * byte array per value first).
   */
  private static String[] strings(VarCharVector v) {
    int rows = v.getValueCount();
    String[] out = new String[rows];
    if (rows == 0) {
      return out;
    }
    ArrowBuf offsets = v.getOffsetBuffer();
    int base = offsets.getInt(0);
    byte[] all = new byte[offsets.getInt(4L * rows) - base];
    v.getDataBuffer().getBytes(base, all, 0, all.length);
    int end = 0;
    for (int i = 0; i < rows; i++) {
      int start = end;
      end = offsets.getInt(4L * (i + 1)) - base;
      if (!v.isNull(i)) {
        out[i] = new String(all, start, end - start, StandardCharsets.UTF_8);
      }
    }
    return out;
  }

  private static FieldVector as(FieldVector vector, ColumnType type, String arrow) {
    if (ColumnType.of(vector) != type) {
      throw new ColumnException(
          vector.getName(), "is " + vector.getField().getType() + ", not " + arrow);
    }
    return vector;
  }

  private static int nonNull(FieldVector v) {
    if (v.getNullCount() > 0) {
      throw new ColumnException(
          v.getName(), "has " + v.getNullCount() + " nulls; read it with values(column)");
    }
    return v.getValueCount();
  }
}
