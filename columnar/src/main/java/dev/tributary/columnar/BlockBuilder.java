package dev.tributary.columnar;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
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
 * tensor column; see {@link #tensors(String, float[][], int)}). Primitive arrays make
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

  private final Account owner;
  private final Map<String, Object> columns = new LinkedHashMap<>();
  private final Map<String, Integer> tensorDims = new LinkedHashMap<>();
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
    if (values instanceof Object[] objects && !isFastPath(values)) {
      return column(JavaValues.infer(name, Arrays.asList(objects)), Arrays.asList(objects));
    }
    add(name, values, lengthOf(name, values));
    return this;
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

  private static boolean isFastPath(Object values) {
    return values instanceof Long[] || values instanceof Integer[] || values instanceof Double[]
        || values instanceof Float[] || values instanceof Boolean[] || values instanceof String[]
        || values instanceof byte[][];
  }

  /**
   * Adds a tensor column: each row is a float32 array of length {@code dim} (or {@code null}).
   *
   * @throws ColumnException if a row has another length
   */
  public BlockBuilder tensors(String name, float[][] values, int dim) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(values, "values");
    if (dim <= 0) {
      throw new ColumnException(name, "tensor dimension must be positive, was " + dim);
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null && values[i].length != dim) {
        throw new ColumnException(
            name, "row " + i + " has " + values[i].length + " values, the tensor shape is " + dim);
      }
    }
    add(name, values, values.length);
    tensorDims.put(name, dim);
    return this;
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
    if (values instanceof long[] a) {
      BigIntVector v = new BigIntVector(field(name, false, new ArrowType.Int(64, true)), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        v.set(i, a[i]);
      }
      return done(v, n);
    }
    if (values instanceof Long[] a) {
      BigIntVector v = new BigIntVector(field(name, true, new ArrowType.Int(64, true)), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        if (a[i] != null) {
          v.set(i, a[i]);
        }
      }
      return done(v, n);
    }
    if (values instanceof int[] a) {
      IntVector v = new IntVector(field(name, false, new ArrowType.Int(32, true)), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        v.set(i, a[i]);
      }
      return done(v, n);
    }
    if (values instanceof Integer[] a) {
      IntVector v = new IntVector(field(name, true, new ArrowType.Int(32, true)), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        if (a[i] != null) {
          v.set(i, a[i]);
        }
      }
      return done(v, n);
    }
    if (values instanceof double[] a) {
      Float8Vector v = new Float8Vector(field(name, false, DOUBLE), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        v.set(i, a[i]);
      }
      return done(v, n);
    }
    if (values instanceof Double[] a) {
      Float8Vector v = new Float8Vector(field(name, true, DOUBLE), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        if (a[i] != null) {
          v.set(i, a[i]);
        }
      }
      return done(v, n);
    }
    if (values instanceof float[] a) {
      Float4Vector v = new Float4Vector(field(name, false, FLOAT), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        v.set(i, a[i]);
      }
      return done(v, n);
    }
    if (values instanceof Float[] a) {
      Float4Vector v = new Float4Vector(field(name, true, FLOAT), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        if (a[i] != null) {
          v.set(i, a[i]);
        }
      }
      return done(v, n);
    }
    if (values instanceof boolean[] a) {
      BitVector v = new BitVector(field(name, false, ArrowType.Bool.INSTANCE), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        v.set(i, a[i] ? 1 : 0);
      }
      return done(v, n);
    }
    if (values instanceof Boolean[] a) {
      BitVector v = new BitVector(field(name, true, ArrowType.Bool.INSTANCE), allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        if (a[i] != null) {
          v.set(i, a[i] ? 1 : 0);
        }
      }
      return done(v, n);
    }
    if (values instanceof String[] a) {
      byte[][] utf8 = new byte[n][];
      long total = 0;
      for (int i = 0; i < n; i++) {
        if (a[i] != null) {
          utf8[i] = a[i].getBytes(StandardCharsets.UTF_8);
          total += utf8[i].length;
        }
      }
      VarCharVector v = new VarCharVector(field(name, true, ArrowType.Utf8.INSTANCE), allocator);
      v.allocateNew(Math.max(total, 1), n);
      for (int i = 0; i < n; i++) {
        if (utf8[i] != null) {
          v.set(i, utf8[i]);
        }
      }
      return done(v, n);
    }
    if (values instanceof byte[][] a) {
      long total = 0;
      for (byte[] b : a) {
        total += b == null ? 0 : b.length;
      }
      VarBinaryVector v =
          new VarBinaryVector(field(name, true, ArrowType.Binary.INSTANCE), allocator);
      v.allocateNew(Math.max(total, 1), n);
      for (int i = 0; i < n; i++) {
        if (a[i] != null) {
          v.set(i, a[i]);
        }
      }
      return done(v, n);
    }
    if (values instanceof float[][] a) {
      return fillTensors(name, a, tensorDims.get(name), n, allocator);
    }
    if (values instanceof Typed t) {
      FieldVector v = t.field().createVector(allocator);
      try {
        v.setInitialCapacity(n);
        v.allocateNew();
        for (int i = 0; i < n; i++) {
          JavaValues.set(v, i, t.values().get(i));
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
      String name, float[][] a, int dim, int n, BufferAllocator allocator) {
    Field field = tensorField(name, dim);
    FixedSizeListVector v = (FixedSizeListVector) field.createVector(allocator);
    v.setInitialCapacity(n);
    v.allocateNew();
    Float4Vector data = (Float4Vector) v.getDataVector();
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
  }

  /** The Arrow field of a float32 tensor column with {@code dim} values per row. */
  public static Field tensorField(String name, int dim) {
    return new Field(
        name,
        FieldType.nullable(new ArrowType.FixedSizeList(dim)),
        List.of(new Field(BaseRepeatedValueVector.DATA_VECTOR_NAME,
            FieldType.notNullable(FLOAT), null)));
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

  private static int lengthOf(String name, Object values) {
    if (values instanceof long[] a) {
      return a.length;
    } else if (values instanceof int[] a) {
      return a.length;
    } else if (values instanceof double[] a) {
      return a.length;
    } else if (values instanceof float[] a) {
      return a.length;
    } else if (values instanceof boolean[] a) {
      return a.length;
    } else if (isFastPath(values)) {
      return ((Object[]) values).length;
    }
    throw new ColumnException(
        name, "unsupported Java type " + values.getClass().getSimpleName()
            + "; use long[], int[], short[], byte[], double[], float[], boolean[], an object"
            + " array of values JavaValues maps, byte[][] or float[][]");
  }
}
