package dev.tributary.connectors;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnType;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.filter2.predicate.UserDefinedPredicate;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * The exact half of a Parquet filter: evaluates a parquet-mr {@link FilterPredicate} on decoded
 * rows with Parquet's semantics (comparisons with a null cell are false, {@code eq(c, null)}
 * matches nulls, {@code notEq(c, v)} matches nulls) and Parquet's column orderings.
 */
final class RowFilter {
  private final FilterPredicate predicate;
  private final MessageType schema;
  private final FilterCompat.Filter compat;

  /** A filter over blocks decoded with the Parquet schema {@code schema}. */
  RowFilter(FilterPredicate predicate, MessageType schema) {
    this(predicate, schema, FilterCompat.get(predicate));
  }

  /**
   * A filter over blocks decoded with the Parquet schema {@code schema}, {@code compat} being
   * {@code predicate} as parquet-mr's filters take it (made by the caller once for many files:
   * making one logs).
   */
  RowFilter(FilterPredicate predicate, MessageType schema, FilterCompat.Filter compat) {
    this.predicate = predicate;
    this.schema = schema;
    this.compat = compat;
  }

  /** The predicate as parquet-mr's column-index filter takes it (made once: making one logs). */
  FilterCompat.Filter compat() {
    return compat;
  }

  /** The names of the columns this filter reads (see {@link #columns(FilterPredicate)}). */
  Set<String> columns() {
    return columns(predicate);
  }

  /**
   * The names of the columns {@code predicate} reads.
   *
   * @throws IllegalArgumentException for a predicate rows cannot be tested by (contains)
   */
  static Set<String> columns(FilterPredicate predicate) {
    Set<String> names = new LinkedHashSet<>();
    predicate.accept(new Compiler(null, column -> {
      names.add(column.getColumnPath().toDotString());
      return null;
    }));
    return names;
  }

  /**
   * The rows of {@code block} the predicate keeps, with only the {@code output} columns: the
   * block itself when it already is that, else a copy charged to {@code account} (the input is
   * closed), or null when no row matches.
   */
  Block apply(Block block, List<String> output, Account account) {
    int[] kept;
    try {
      kept = kept(block);
    } catch (RuntimeException e) {
      block.close();
      throw e;
    }
    boolean sameColumns = block.schema().getFields().stream().map(Field::getName).toList()
        .equals(output);
    if (kept.length == block.rowCount() && sameColumns) {
      return block;
    }
    try (block) {
      return kept.length == 0 ? null : Blocks.take(block, output, kept, kept.length, account);
    }
  }

  /**
   * The rows of {@code block} the predicate keeps, every column: the block itself when it keeps
   * all, null when none, else a copy charged to {@code account}. Consumes the block (a block
   * transform, see {@code BlockTransform}): it is released unless returned, also on an error.
   */
  Block keep(Block block, Account account) {
    int[] kept;
    try {
      kept = kept(block);
    } catch (RuntimeException e) {
      block.release();
      throw e;
    }
    if (kept.length == block.rowCount()) {
      return block;
    }
    try (block) {
      return kept.length == 0 ? null : Blocks.take(block, kept, account);
    }
  }

  /**
   * The indexes of the rows the predicate keeps, ascending: evaluated a column at a time ({@link
   * RowMask}), leaves without a vector loop row by row.
   */
  private int[] kept(Block block) {
    return RowMask.indexes(mask(block));
  }

  /**
   * The rows of {@code block} the predicate keeps as a bitmap (bit {@code r % 64} of word {@code
   * r / 64}); the block needs only the columns the predicate reads.
   */
  long[] mask(Block block) {
    return RowMask.of(predicate, block, schema, leaf -> compile(leaf, block));
  }

  private IntPredicate compile(FilterPredicate p, Block block) {
    return p.accept(new Compiler(block, column -> cells(column, block)));
  }

  @SuppressWarnings("unchecked")
  private Cells cells(Operators.Column<?> column, Block block) {
    String name = column.getColumnPath().toDotString();
    return new Cells(block.vector(name),
        (Comparator<Object>) schema.getType(name).asPrimitiveType().comparator());
  }

  /**
   * Turns a predicate into a test of row indexes, reading cells through {@code cells} (which
   * may also just note the columns, returning null, when {@code block} is null).
   */
  private record Compiler(Block block, Function<Operators.Column<?>, Cells> cells)
      implements FilterPredicate.Visitor<IntPredicate> {
    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.Eq<T> eq) {
      Cells c = cells.apply(eq.getColumn());
      Object value = eq.getValue();
      if (c == null) {
        return null;
      }
      return value == null ? c::isNull
          : row -> !c.isNull(row) && c.order.compare(c.value(row), value) == 0;
    }

    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.NotEq<T> notEq) {
      Cells c = cells.apply(notEq.getColumn());
      Object value = notEq.getValue();
      if (c == null) {
        return null;
      }
      return value == null ? row -> !c.isNull(row)
          : row -> c.isNull(row) || c.order.compare(c.value(row), value) != 0;
    }

    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.Lt<T> lt) {
      return compare(lt.getColumn(), lt.getValue(), s -> s < 0);
    }

    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.LtEq<T> ltEq) {
      return compare(ltEq.getColumn(), ltEq.getValue(), s -> s <= 0);
    }

    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.Gt<T> gt) {
      return compare(gt.getColumn(), gt.getValue(), s -> s > 0);
    }

    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.GtEq<T> gtEq) {
      return compare(gtEq.getColumn(), gtEq.getValue(), s -> s >= 0);
    }

    private IntPredicate compare(Operators.Column<?> column, Object value, IntPredicate sign) {
      Cells c = cells.apply(column);
      return c == null ? null
          : row -> !c.isNull(row) && sign.test(c.order.compare(c.value(row), value));
    }

    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.In<T> in) {
      return in(in.getColumn(), in.getValues());
    }

    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.NotIn<T> notIn) {
      IntPredicate in = in(notIn.getColumn(), notIn.getValues());
      return in == null ? null : in.negate();
    }

    private IntPredicate in(Operators.Column<?> column, Set<?> values) {
      Cells c = cells.apply(column);
      if (c == null) {
        return null;
      }
      boolean withNull = values.stream().anyMatch(Objects::isNull); // Set.of refuses contains(null)
      TreeSet<Object> sorted = new TreeSet<>(c.order); // equality as the column compares
      values.stream().filter(Objects::nonNull).forEach(sorted::add);
      return row -> {
        Object cell = c.value(row);
        return cell == null ? withNull : sorted.contains(cell);
      };
    }

    @Override
    public <T extends Comparable<T>> IntPredicate visit(Operators.Contains<T> contains) {
      throw new IllegalArgumentException("unsupported Parquet filter " + contains
          + " (repeated columns): use eq, notEq, lt, ltEq, gt, gtEq, in, notIn, userDefined,"
          + " and, or, not");
    }

    @Override
    public IntPredicate visit(Operators.And and) {
      IntPredicate l = and.getLeft().accept(this);
      IntPredicate r = and.getRight().accept(this);
      return block == null ? null : row -> l.test(row) && r.test(row);
    }

    @Override
    public IntPredicate visit(Operators.Or or) {
      IntPredicate l = or.getLeft().accept(this);
      IntPredicate r = or.getRight().accept(this);
      return block == null ? null : row -> l.test(row) || r.test(row);
    }

    @Override
    public IntPredicate visit(Operators.Not not) {
      IntPredicate inner = not.getPredicate().accept(this);
      return inner == null ? null : inner.negate();
    }

    @Override
    public <T extends Comparable<T>, U extends UserDefinedPredicate<T>> IntPredicate visit(
        Operators.UserDefined<T, U> udp) {
      Cells c = cells.apply(udp.getColumn());
      if (c == null) {
        return null;
      }
      U keep = udp.getUserDefinedPredicate();
      return row -> keep.keep(userValue(c.value(row)));
    }

    @Override
    public <T extends Comparable<T>, U extends UserDefinedPredicate<T>> IntPredicate visit(
        Operators.LogicalNotUserDefined<T, U> udp) {
      IntPredicate keep = visit(udp.getUserDefined());
      return keep == null ? null : keep.negate();
    }

    @SuppressWarnings("unchecked")
    private static <T> T userValue(Object value) {
      return (T) value;
    }
  }

  /**
   * One column's cells as the values parquet-mr's filter API compares (Binary for bytes,
   * logical types as the physical values Parquet stores), the reader chosen once per block.
   */
  private static final class Cells {
    private final FieldVector vector;
    private final Comparator<Object> order;
    private final IntFunction<Object> reader;

    Cells(FieldVector vector, Comparator<Object> order) {
      this.vector = vector;
      this.order = order;
      this.reader = reader(vector);
    }

    private static IntFunction<Object> reader(FieldVector vector) {
      return switch (ColumnType.of(vector)) {
        case UTF8 -> {
          VarCharVector v = (VarCharVector) vector;
          yield row -> Binary.fromConstantByteArray(v.get(row));
        }
        case BINARY -> {
          VarBinaryVector v = (VarBinaryVector) vector;
          yield row -> Binary.fromConstantByteArray(v.get(row));
        }
        case FIXED_BINARY -> {
          FixedSizeBinaryVector v = (FixedSizeBinaryVector) vector;
          yield row -> Binary.fromConstantByteArray(v.get(row));
        }
        case TIMESTAMP_ZONED, TIMESTAMP_LOCAL -> ((TimeStampVector) vector)::get;
        case DATE_DAY -> ((DateDayVector) vector)::get;
        case INT8 -> {
          TinyIntVector v = (TinyIntVector) vector;
          yield row -> (int) v.get(row);
        }
        case INT16 -> {
          SmallIntVector v = (SmallIntVector) vector;
          yield row -> (int) v.get(row);
        }
        case DECIMAL -> {
          DecimalVector v = (DecimalVector) vector;
          yield row -> ParquetValues.physical(v, row);
        }
        default -> vector::getObject;
      };
    }

    boolean isNull(int row) {
      return vector.isNull(row);
    }

    Object value(int row) {
      return vector.isNull(row) ? null : reader.apply(row);
    }
  }
}
