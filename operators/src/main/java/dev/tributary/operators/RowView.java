package dev.tributary.operators;

import dev.tributary.columnar.ColumnType;
import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Block;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;

/**
 * A read-only row of a block as a {@code Map<String, Object>} whose values are read from the
 * Arrow vectors only when asked for: a predicate that looks at one column boxes one value, not
 * the whole row. Valid only while its block is open (during the user function's call).
 */
final class RowView extends AbstractMap<String, Object> {
  private final Columns columns;
  private final int row;

  private RowView(Columns columns, int row) {
    this.columns = columns;
    this.row = row;
  }

  /** The columns of one block, looked up by name and their types resolved once. */
  static final class Columns {
    private final List<FieldVector> vectors;
    private final ColumnType[] types;
    private final Map<String, Integer> byName = new HashMap<>();

    Columns(Block block) {
      this.vectors = block.root().getFieldVectors();
      this.types = new ColumnType[vectors.size()];
      for (int c = 0; c < types.length; c++) {
        types[c] = ColumnType.of(vectors.get(c));
        byName.put(vectors.get(c).getName(), c);
      }
    }

    /** The column last looked up: a predicate asks for the same name (one object) every row. */
    private Object lastKey;
    private int lastColumn;

    /** The index of column {@code key}, or -1 if the block has none. */
    private int column(Object key) {
      if (key == lastKey) {
        return lastColumn;
      }
      Integer c = byName.get(key);
      if (c == null) {
        return -1;
      }
      lastKey = key;
      lastColumn = c;
      return c;
    }

    private Object value(int column, int row) {
      return JavaValues.get(types[column], vectors.get(column), row);
    }

    /** Row {@code row} of the block. */
    RowView row(int row) {
      return new RowView(this, row);
    }
  }

  @Override
  public Object get(Object key) {
    int c = columns.column(key);
    return c < 0 ? null : columns.value(c, row);
  }

  @Override
  public boolean containsKey(Object key) {
    return columns.byName.containsKey(key);
  }

  @Override
  public int size() {
    return columns.vectors.size();
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < columns.types.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            int c = next++;
            return new SimpleImmutableEntry<>(columns.vectors.get(c).getName(),
                columns.value(c, row));
          }
        };
      }

      @Override
      public int size() {
        return columns.vectors.size();
      }
    };
  }
}
