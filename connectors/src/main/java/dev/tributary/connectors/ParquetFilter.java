package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.SchemaCompatibilityValidator;
import org.apache.parquet.schema.MessageType;

/**
 * A parquet-mr {@link FilterPredicate} as a row filter over blocks of any source: what a plan
 * runs where the predicate cannot be pushed into a Parquet read. It keeps exactly the rows a
 * {@link ParquetSource#filter filtered Parquet read} of the same data keeps (Parquet's null
 * semantics and column orderings), the block's Arrow types seen as the Parquet types they are
 * written with.
 */
public final class ParquetFilter {
  private final FilterPredicate predicate;
  private final Set<String> columns;
  /** The row filter of the last block schema seen: a stream's blocks mostly share one. */
  private volatile Resolved last;

  private record Resolved(Schema schema, RowFilter filter) {}

  private ParquetFilter(FilterPredicate predicate, Set<String> columns) {
    this.predicate = predicate;
    this.columns = columns;
  }

  /**
   * The filter of {@code predicate}, its {@code in}/{@code notIn} value sets copied (as {@link
   * ParquetSource#filter} does).
   *
   * @throws IllegalArgumentException for a predicate rows cannot be tested by ({@code contains})
   */
  public static ParquetFilter of(FilterPredicate predicate) {
    Set<String> columns = RowFilter.columns(Objects.requireNonNull(predicate, "predicate"));
    return new ParquetFilter(FilterArgument.copyOf(predicate), Set.copyOf(columns));
  }

  /** The predicate (its value sets copied). */
  public FilterPredicate predicate() {
    return predicate;
  }

  /** The names of the columns the predicate reads. */
  public Set<String> columns() {
    return columns;
  }

  /**
   * Checks the predicate against the columns of {@code schema}: each must be there, with a type
   * whose Parquet form the predicate's column type fits ({@code longColumn} for int64, {@code
   * binaryColumn} for utf8, ...).
   *
   * @param operation what to name in the error
   * @throws ColumnException naming the column and the columns there are, or the type mismatch
   */
  public void check(Schema schema, String operation) {
    List<String> names = schema.getFields().stream().map(Field::getName).toList();
    for (String column : columns) {
      if (!names.contains(column)) {
        throw new ColumnException(column, operation + ": no such column; the dataset has "
            + names);
      }
    }
    try {
      SchemaCompatibilityValidator.validate(predicate, parquetSchema(schema));
    } catch (IllegalArgumentException e) {
      throw new ColumnException(String.join(",", columns), operation + " " + predicate
          + " does not fit the columns' types: " + e.getMessage());
    }
  }

  /**
   * The rows of {@code input} the predicate keeps: {@code input} itself when it keeps all, null
   * when none, else a copy charged to {@code out}. A block transform: it consumes {@code input},
   * which is released unless returned, also when this throws.
   *
   * @throws ColumnException if a filtered column is missing or its type does not fit (checked
   *     once per block schema, as {@link #check} does)
   */
  public Block keep(Block input, Account out) {
    Resolved resolved;
    try {
      Schema schema = input.schema();
      resolved = last;
      if (resolved == null || !resolved.schema().equals(schema)) {
        check(schema, "filter");
        resolved = new Resolved(schema, new RowFilter(predicate, parquetSchema(schema)));
        last = resolved;
      }
    } catch (RuntimeException e) {
      input.release();
      throw e;
    }
    return resolved.filter().keep(input, out);
  }

  /** The Parquet schema of the filtered columns of {@code schema} (others may have no form). */
  private MessageType parquetSchema(Schema schema) {
    return ParquetSchemas.toParquet(new Schema(schema.getFields().stream()
        .filter(f -> columns.contains(f.getName())).toList()));
  }

  @Override
  public String toString() {
    return predicate.toString();
  }
}
