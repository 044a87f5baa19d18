package dev.tributary.operators;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The column batch a {@code mapBatches} function gets: a map from column name to Java array (see
 * {@link Batches} for the array types), decoded from the block only when a column is first read,
 * plus typed accessors that work the same for required and optional (nullable) columns, without
 * boxing: {@link #doubles}, {@link #longs}, {@link #strings} and the null mask {@link #nulls}.
 * Parquet files written by DuckDB or Spark make every column optional, so {@code (double[])
 * batch.get("x")} (a {@code Double[]} there) is a trap; {@code batch.doubles("x")} is not.
 *
 * <p>The map is the function's own: it may put, replace and remove columns and return it.
 */
public final class ColumnBatch extends AbstractMap<String, Object> {
  private static final Set<Class<?>> IMMUTABLE_ELEMENTS = Set.of(long[].class, int[].class,
      double[].class, float[].class, boolean[].class, short[].class, byte[].class,
      String[].class, Long[].class, Integer[].class, Double[].class, Float[].class,
      Boolean[].class, Short[].class, Byte[].class, LocalDate[].class, Instant[].class,
      LocalDateTime[].class, BigDecimal[].class);

  /** Marks a column not decoded yet. */
  private static final Object UNREAD = new Object();

  private final Block block;
  private final Map<String, Object> columns = new LinkedHashMap<>();
  /** Every array handed out, by identity, with its column and a copy of what it held then. */
  private final Map<Object, Handed> handed = new IdentityHashMap<>();

  /** An array handed out: its column, and a copy (null for arrays of mutable elements). */
  private record Handed(String column, Object copy) {}

  ColumnBatch(Block block) {
    this.block = block;
    for (Field f : block.schema().getFields()) {
      columns.put(f.getName(), UNREAD);
    }
  }

  private void hand(Object array, String column) {
    handed.put(array, new Handed(column,
        IMMUTABLE_ELEMENTS.contains(array.getClass()) ? copyOf(array) : null));
  }

  /** Whether column {@code name} is the handed block's and was never read. */
  boolean unread(String name) {
    return columns.get(name) == UNREAD;
  }

  private Object resolve(Object key) {
    Object v = columns.get(key);
    if (v == UNREAD) {
      String name = (String) key;
      v = Batches.column(block, name);
      hand(v, name);
      columns.put(name, v);
    }
    return v;
  }

  @Override
  public Object get(Object key) {
    return resolve(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return columns.containsKey(key);
  }

  @Override
  public int size() {
    return columns.size();
  }

  @Override
  public Object put(String key, Object value) {
    Object old = resolve(key);
    columns.put(key, value);
    return old;
  }

  @Override
  public Object remove(Object key) {
    Object old = resolve(key);
    columns.remove(key);
    return old;
  }

  /** The column names, in order (a read-only view; nothing is decoded). */
  @Override
  public Set<String> keySet() {
    return Collections.unmodifiableSet(columns.keySet());
  }

  /** The columns; iterating decodes every column not read yet. */
  @Override
  public Set<Entry<String, Object>> entrySet() {
    columns.keySet().forEach(this::resolve);
    return columns.entrySet();
  }

  private FieldVector vector(String column) {
    if (block.schema().getFields().stream().noneMatch(f -> f.getName().equals(column))) {
      throw new ColumnException(column, "no such column in the batch; it has "
          + columns.keySet());
    }
    return block.vector(column);
  }

  /**
   * Column {@code column} of the batch as handed, a float32, float64 or decimal column, as
   * doubles (a decimal as the nearest double): null rows hold NaN ({@link #nulls} tells them
   * apart from NaN values).
   *
   * @throws ColumnException if there is no such column or it is not floating point
   */
  public double[] doubles(String column) {
    FieldVector v = vector(column);
    int n = v.getValueCount();
    double[] out = new double[n];
    if (v instanceof Float8Vector f) {
      for (int i = 0; i < n; i++) {
        out[i] = f.isNull(i) ? Double.NaN : f.get(i);
      }
    } else if (v instanceof Float4Vector f) {
      for (int i = 0; i < n; i++) {
        out[i] = f.isNull(i) ? Double.NaN : f.get(i);
      }
    } else if (v instanceof DecimalVector d) {
      // DuckDB writes `i * 0.5` as a decimal: read it as the nearest doubles.
      for (int i = 0; i < n; i++) {
        out[i] = d.isNull(i) ? Double.NaN : d.getObjectNotNull(i).doubleValue();
      }
    } else {
      throw new ColumnException(column, "is " + v.getField().getType()
          + ", not floating point; read it with longs(), strings() or get()");
    }
    hand(out, column);
    return out;
  }

  /**
   * Column {@code column} of the batch as handed, a signed integer column of any width, as longs:
   * null rows hold 0 ({@link #nulls} tells them apart).
   *
   * @throws ColumnException if there is no such column or it is not an integer column
   */
  public long[] longs(String column) {
    FieldVector v = vector(column);
    if (!(v instanceof BaseIntVector ints)
        || !((org.apache.arrow.vector.types.pojo.ArrowType.Int) v.getField().getType())
            .getIsSigned()) {
      throw new ColumnException(column, "is " + v.getField().getType()
          + ", not a signed integer; read it with doubles(), strings() or get()");
    }
    int n = v.getValueCount();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = v.isNull(i) ? 0 : ints.getValueAsLong(i);
    }
    hand(out, column);
    return out;
  }

  /**
   * Column {@code column} of the batch as handed, a utf8 column: null rows are {@code null}.
   *
   * @throws ColumnException if there is no such column or it is not utf8
   */
  public String[] strings(String column) {
    FieldVector v = vector(column);
    if (!(v.getField().getType() instanceof org.apache.arrow.vector.types.pojo.ArrowType.Utf8)) {
      throw new ColumnException(column, "is " + v.getField().getType() + ", not utf8");
    }
    String[] out = ColumnReader.strings(block, column);
    hand(out, column);
    return out;
  }

  /**
   * Which rows of column {@code column} (of the batch as handed) are null: {@code true} at a null
   * row; all false for a required column.
   *
   * @throws ColumnException if there is no such column
   */
  public boolean[] nulls(String column) {
    FieldVector v = vector(column);
    boolean[] out = new boolean[v.getValueCount()];
    if (v.getNullCount() > 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] = v.isNull(i);
      }
    }
    return out;
  }

  /** The number of rows. */
  public int rowCount() {
    return block.rowCount();
  }

  /**
   * Whether {@code array} was handed out for column {@code name} and still holds what it held
   * then.
   */
  boolean unchanged(String name, Object array) {
    Handed h = handed.get(array);
    return h != null && h.column().equals(name) && h.copy() != null
        && sameContents(h.copy(), array);
  }

  private static Object copyOf(Object array) {
    if (array instanceof long[] a) {
      return a.clone();
    } else if (array instanceof int[] a) {
      return a.clone();
    } else if (array instanceof double[] a) {
      return a.clone();
    } else if (array instanceof float[] a) {
      return a.clone();
    } else if (array instanceof boolean[] a) {
      return a.clone();
    } else if (array instanceof short[] a) {
      return a.clone();
    } else if (array instanceof byte[] a) {
      return a.clone();
    }
    return ((Object[]) array).clone();
  }

  private static boolean sameContents(Object copy, Object array) {
    if (copy instanceof long[] a) {
      return Arrays.equals(a, (long[]) array);
    } else if (copy instanceof int[] a) {
      return Arrays.equals(a, (int[]) array);
    } else if (copy instanceof double[] a) {
      return Arrays.equals(a, (double[]) array);
    } else if (copy instanceof float[] a) {
      return Arrays.equals(a, (float[]) array);
    } else if (copy instanceof boolean[] a) {
      return Arrays.equals(a, (boolean[]) array);
    } else if (copy instanceof short[] a) {
      return Arrays.equals(a, (short[]) array);
    } else if (copy instanceof byte[] a) {
      return Arrays.equals(a, (byte[]) array);
    }
    return Arrays.equals((Object[]) copy, (Object[]) array);
  }
}
