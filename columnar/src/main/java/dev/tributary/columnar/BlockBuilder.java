package dev.tributary.columnar;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Builds a {@link Block} from Java arrays, one column per call: {@code
 * BlockBuilder.in(account).column("id", new long[] {1, 2}).build()}.
 *
 * <p>Supported arrays and the Arrow types they become: {@code long[]}/{@code Long[]} → int64,
 * {@code int[]}/{@code Integer[]} → int32, {@code double[]}/{@code Double[]} → float64, {@code
 * float[]}/{@code Float[]} → float32, {@code boolean[]}/{@code Boolean[]} → boolean, {@code
 * String[]} → utf8, {@code byte[][]} → binary, {@code float[][]} → fixed-size list of float32 (a
 * tensor column; see {@link #tensors(String, float[][], int...)}). Primitive arrays make
 * non-nullable columns; object arrays make nullable ones, with {@code null} entries as nulls.
 * Any other object array ({@code LocalDate[]}, {@code Instant[]}, {@code BigDecimal[]}, arrays of
 * {@code List} or {@code Map}, ...) takes its type from {@link JavaValues#infer}; {@link
 * #column(Field, List)} gives the type explicitly. Nothing is allocated until {@link #build()}.
 */
public final class BlockBuilder {
  private static final ArrowType DOUBLE =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  private static final ArrowType FLOAT =
      new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType INT32 = new ArrowType.Int(32, true);

  private final Account owner;
  private final Map<String, Object> columns = new LinkedHashMap<>();
  private final Map<String, int[]> tensorShapes = new LinkedHashMap<>();
  private int rows = -1;

  private BlockBuilder(Account owner) {
    this.owner = Objects.requireNonNull(owner, "owner");
  }

  /** Starts building a block in {@code owner} from Java arrays, one column at a time. */
  public static BlockBuilder in(Account owner) {
    return new BlockBuilder(owner);
  }

  /**
   * Adds a column from a Java array of a supported type (see the class comment).
   *
   * @throws ColumnException if the name is taken, the type is unsupported, or the length
   *     differs from earlier columns
   */
  public BlockBuilder column(String name, Object values) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(values, "values");
    if (values instanceof float[][] tensors) {
      return tensors(name, tensors, inferDim(name, tensors));
    }
    if (values instanceof byte[] || values instanceof short[]) {
      List<Object> boxed = new ArrayList<>();
      if (values instanceof byte[] bytes) {
        for (byte b : bytes) {
          boxed.add(b);
        }
      } else {
        for (short v : (short[]) values) {
          boxed.add(v);
        }
      }
      ArrowType type = new ArrowType.Int(values instanceof byte[] ? 8 : 16, true);
      return column(new Field(name, FieldType.notNullable(type), null), boxed);
    }
    if (ARRAYS.containsKey(values.getClass())) {
      add(name, values, Array.getLength(values));
      return this;
    }
    if (values instanceof Object[] objects) {
      return column(JavaValues.infer(name, Arrays.asList(objects)), Arrays.asList(objects));
    }
    throw new ColumnException(
        name, "unsupported Java type " + values.getClass().getSimpleName()
            + "; use long[], int[], short[], byte[], double[], float[], boolean[], an object"
            + " array of values JavaValues maps, byte[][] or float[][]");
  }

  /**
   * Adds a column of type {@code field} (any type {@link JavaValues} maps, nested ones included)
   * from Java values, nulls as {@code null}.
   *
   * @throws ColumnException if the name is taken or the length differs from earlier columns;
   *     values that do not fit the type fail in {@link #build()}
   */
  public BlockBuilder column(Field field, List<?> values) {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(values, "values");
    add(field.getName(), new Typed(field, values), values.size());
    return this;
  }

  /** A column given as a field and Java values. */
  private record Typed(Field field, List<?> values) {}

  /** How one kind of Java array becomes a column: its Arrow type and a tight fill loop. */
  private record ArrayColumn(ArrowType type, boolean nullable, Filler filler) {}

  /** Allocates {@code vector} for {@code n} rows and fills it from {@code array}. */
  @FunctionalInterface
  private interface Filler {
    void fill(FieldVector vector, Object array, int n);
  }

  /**
   * The Java arrays taken as they are, keyed by array class: primitive arrays make non-nullable
   * columns, object arrays nullable ones ({@code null} entries as nulls).
   */
  private static final Map<Class<?>, ArrayColumn> ARRAYS = Map.ofEntries(
      Map.entry(long[].class, new ArrayColumn(INT64, false, (vector, array, n) -> {
        BigIntVector v = (BigIntVector) vector;
        long[] a = (long[]) array;
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          v.set(i, a[i]);
        }
      })),
      Map.entry(Long[].class, new ArrayColumn(INT64, true, (vector, array, n) -> {
        BigIntVector v = (BigIntVector) vector;
        Long[] a = (Long[]) array;
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          if (a[i] != null) {
            v.set(i, a[i]);
          }
        }
      })),
      Map.entry(int[].class, new ArrayColumn(INT32, false, (vector, array, n) -> {
        IntVector v = (IntVector) vector;
        int[] a = (int[]) array;
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          v.set(i, a[i]);
        }
      })),
      Map.entry(Integer[].class, new ArrayColumn(INT32, true, (vector, array, n) -> {
        IntVector v = (IntVector) vector;
        Integer[] a = (Integer[]) array;
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          if (a[i] != null) {
            v.set(i, a[i]);
          }
        }
      })),
      Map.entry(double[].class, new ArrayColumn(DOUBLE, false, (vector, array, n) -> {
        Float8Vector v = (Float8Vector) vector;
        double[] a = (double[]) array;
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          v.set(i, a[i]);
        }
      })),
      Map.entry(Double[].class, new ArrayColumn(DOUBLE, true, (vector, array, n) -> {
        Float8Vector v = (Float8Vector) vector;
        Double[] a = (Double[]) array;
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          if (a[i] != null) {
            v.set(i, a[i]);
          }
        }
      })),
      Map.entry(float[].class, new ArrayColumn(FLOAT, false, (vector, array, n) -> {
        Float4Vector v = (Float4Vector) vector;
        float[] a = (float[]) array;
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          v.set(i, a[i]);
        }
      })),
      Map.entry(Float[].class, new ArrayColumn(FLOAT, true, (vector, array, n) -> {
        Float4Vector v = (Float4Vector) vector;
        Float[] a = (Float[]) array;
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          if (a[i] != null) {
            v.set(i, a[i]);
          }
        }
      })),
      Map.entry(boolean[].class, new ArrayColumn(ArrowType.Bool.INSTANCE, false,
          (vector, array, n) -> {
            BitVector v = (BitVector) vector;
            boolean[] a = (boolean[]) array;
            v.allocateNew(n);
            for (int i = 0; i < n; i++) {
              v.set(i, a[i] ? 1 : 0);
            }
          })),
      Map.entry(Boolean[].class, new ArrayColumn(ArrowType.Bool.INSTANCE, true,
          (vector, array, n) -> {
            BitVector v = (BitVector) vector;
            Boolean[] a = (Boolean[]) array;
            v.allocateNew(n);
            for (int i = 0; i < n; i++) {
              if (a[i] != null) {
                v.set(i, a[i] ? 1 : 0);
              }
            }
          })),
      Map.entry(String[].class, new ArrayColumn(ArrowType.Utf8.INSTANCE, true,
          (vector, array, n) -> {
            String[] a = (String[]) array;
            byte[][] utf8 = new byte[n][];
            for (int i = 0; i < n; i++) {
              utf8[i] = a[i] == null ? null : a[i].getBytes(StandardCharsets.UTF_8);
            }
            fillBytes((VarCharVector) vector, utf8, n);
          })),
      Map.entry(byte[][].class, new ArrayColumn(ArrowType.Binary.INSTANCE, true,
          (vector, array, n) -> fillBytes((VarBinaryVector) vector, (byte[][]) array, n))));

  /** Fills a variable-width vector, allocating the values' total size at once. */
  private static void fillBytes(BaseVariableWidthVector v, byte[][] values, int n) {
    long total = 0;
    for (byte[] b : values) {
      total += b == null ? 0 : b.length;
    }
    v.allocateNew(Math.max(total, 1), n);
    for (int i = 0; i < n; i++) {
      if (values[i] != null) {
        v.set(i, values[i]);
      }
    }
  }

  /**
   * Adds a tensor column: each row is a float32 array of {@code shape}'s product of values,
   * row-major (or {@code null}). One dimension makes a fixed-size list of float32; more make
   * nested fixed-size lists, one level per dimension (an image is {@code height, width,
   * channels}), so the shape is part of the Arrow type and every operator, IPC and Parquet keep
   * it.
   *
   * @throws ColumnException if no dimension is given, one is not positive, or a row has another
   *     length
   */
  public BlockBuilder tensors(String name, float[][] values, int... shape) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(values, "values");
    int dim = values(name, shape);
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null && values[i].length != dim) {
        throw new ColumnException(name, "row " + i + " has " + values[i].length
            + " values, the tensor shape " + Arrays.toString(shape) + " holds " + dim);
      }
    }
    add(name, values, values.length);
    tensorShapes.put(name, shape.clone());
    return this;
  }

  /** The values per row of a tensor of {@code shape}, checked. */
  private static int values(String name, int[] shape) {
    if (shape == null || shape.length == 0) {
      throw new ColumnException(name, "a tensor needs at least one dimension");
    }
    long dim = 1;
    for (int d : shape) {
      if (d <= 0) {
        throw new ColumnException(name, "tensor dimensions must be positive, were "
            + Arrays.toString(shape));
      }
      dim *= d;
    }
    if (dim > Integer.MAX_VALUE) {
      throw new ColumnException(name, "a tensor of shape " + Arrays.toString(shape)
          + " has more than 2^31 values per row");
    }
    return (int) dim;
  }

  /**
   * Allocates the block in the owner's account and fills it.
   *
   * @throws MemoryLimitExceededException if the account or arena cannot hold it; nothing stays
   *     allocated then
   */
  public Block build() {
    int rowCount = Math.max(rows, 0);
    return owner.allocate(() -> {
      List<FieldVector> vectors = new ArrayList<>(columns.size());
      try {
        for (Map.Entry<String, Object> e : columns.entrySet()) {
          vectors.add(fill(e.getKey(), e.getValue(), rowCount, owner.allocator()));
        }
        List<Field> fields = vectors.stream().map(FieldVector::getField).toList();
        return Block.wrap(new VectorSchemaRoot(fields, vectors, rowCount), owner);
      } catch (RuntimeException | Error e) {
        AutoCloseables.closeNoChecked(() -> AutoCloseables.close(vectors));
        throw e;
      }
    });
  }

  private void add(String name, Object values, int length) {
    if (columns.containsKey(name)) {
      throw new ColumnException(name, "added twice");
    }
    if (rows >= 0 && length != rows) {
      throw new ColumnException(
          name, "has " + length + " rows, earlier columns have " + rows);
    }
    rows = length;
    columns.put(name, values);
  }

  private FieldVector fill(String name, Object values, int n, BufferAllocator allocator) {
    ArrayColumn kind = ARRAYS.get(values.getClass());
    if (kind != null) {
      FieldVector v = field(name, kind.nullable(), kind.type()).createVector(allocator);
      try {
        kind.filler().fill(v, values, n);
        return done(v, n);
      } catch (RuntimeException e) {
        v.close();
        throw e;
      }
    }
    if (values instanceof float[][] a) {
      return fillTensors(name, a, tensorShapes.get(name), n, allocator);
    }
    if (values instanceof Typed t) {
      FieldVector v = t.field().createVector(allocator);
      try {
        v.setInitialCapacity(n);
        v.allocateNew();
        ColumnType type = ColumnType.of(v);
        for (int i = 0; i < n; i++) {
          JavaValues.set(type, v, i, t.values().get(i));
        }
        return done(v, n);
      } catch (RuntimeException e) {
        v.close();
        throw e;
      }
    }
    throw new IllegalStateException("unreachable: type checked in column()");
  }

  private static FieldVector fillTensors(
      String name, float[][] a, int[] shape, int n, BufferAllocator allocator) {
    Field field = tensorField(name, shape);
    FixedSizeListVector v = (FixedSizeListVector) field.createVector(allocator);
    try {
      v.setInitialCapacity(n);
      v.allocateNew();
      // Inner levels are never null: mark each of their slots valid (outer rows * sizes above).
      FieldVector level = v.getDataVector();
      long slots = (long) n * shape[0];
      for (int d = 1; d < shape.length; d++) {
        FixedSizeListVector inner = (FixedSizeListVector) level;
        for (int s = 0; s < slots; s++) {
          inner.setNotNull(s);
        }
        inner.setValueCount((int) slots);
        slots *= shape[d];
        level = inner.getDataVector();
      }
      Float4Vector data = (Float4Vector) level;
      int dim = (int) (slots / Math.max(n, 1));
      for (int i = 0; i < n; i++) {
        if (a[i] == null) {
          v.setNull(i);
          continue;
        }
        v.setNotNull(i);
        for (int j = 0; j < dim; j++) {
          data.set(i * dim + j, a[i][j]);
        }
      }
      data.setValueCount(n * dim);
      v.setValueCount(n);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }

  /**
   * The Arrow field of a float32 tensor column of {@code shape} per row: a nullable fixed-size
   * list of the first dimension, non-null fixed-size lists of the next ones, float32 elements.
   */
  public static Field tensorField(String name, int... shape) {
    values(name, shape);
    Field child = new Field(BaseRepeatedValueVector.DATA_VECTOR_NAME,
        FieldType.notNullable(FLOAT), null);
    for (int d = shape.length - 1; d >= 1; d--) {
      child = new Field(BaseRepeatedValueVector.DATA_VECTOR_NAME,
          FieldType.notNullable(new ArrowType.FixedSizeList(shape[d])), List.of(child));
    }
    return new Field(name, FieldType.nullable(new ArrowType.FixedSizeList(shape[0])),
        List.of(child));
  }

  private static Field field(String name, boolean nullable, ArrowType type) {
    return new Field(name, nullable ? FieldType.nullable(type) : FieldType.notNullable(type), null);
  }

  private static <V extends FieldVector> V done(V vector, int n) {
    vector.setValueCount(n);
    return vector;
  }

  private static int inferDim(String name, float[][] rows) {
    for (float[] row : rows) {
      if (row != null) {
        return row.length;
      }
    }
    throw new ColumnException(
        name, "cannot infer the tensor shape from no non-null rows; use tensors(name, values,"
            + " dim)");
  }
}
