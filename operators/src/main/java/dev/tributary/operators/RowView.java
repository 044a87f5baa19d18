package dev.tributary.operators;

import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Block;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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

  /** The columns of one block, looked up by name once. */
  static final class Columns {
    private final List<FieldVector> vectors;
    private final Map<String, FieldVector> byName = new HashMap<>();

    Columns(Block block) {
      this.vectors = block.root().getFieldVectors();
      for (FieldVector v : vectors) {
        byName.put(v.getName(), v);
      }
    }

    /** Row {@code row} of the block. */
    RowView row(int row) {
      return new RowView(this, row);
    }
  }

  @Override
  public Object get(Object key) {
    FieldVector v = columns.byName.get(key);
    return v == null ? null : JavaValues.get(v, row);
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
        Iterator<FieldVector> it = columns.vectors.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Entry<String, Object> next() {
            FieldVector v = it.next();
            return new SimpleImmutableEntry<>(v.getName(), JavaValues.get(v, row));
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
