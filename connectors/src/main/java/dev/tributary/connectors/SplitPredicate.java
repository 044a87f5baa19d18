package dev.tributary.connectors;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.filter2.predicate.SchemaCompatibilityValidator;
import org.apache.parquet.schema.MessageType;

/**
 * A pushdown predicate cut at its top-level {@code and}s into the part partition values decide
 * (a file whose directory values fail it is not opened) and the part the files' own columns
 * decide (row groups skipped by statistics, then rows filtered exactly).
 *
 * @param partitions the conjuncts over partition columns only, or null
 * @param files the conjuncts over file columns only, or null
 * @param partitionSchema the partition columns as Parquet types (how filter values compare)
 */
record SplitPredicate(FilterPredicate partitions, FilterPredicate files,
    MessageType partitionSchema) {
  /**
   * Splits {@code predicate} by the columns each conjunct reads.
   *
   * @throws ColumnException if a conjunct reads partition and file columns together, or uses a
   *     partition column with a type other than its own
   */
  static SplitPredicate of(FilterPredicate predicate, HivePartitions hive) {
    List<FilterPredicate> onPartitions = new ArrayList<>();
    List<FilterPredicate> onFiles = new ArrayList<>();
    for (FilterPredicate conjunct : conjuncts(predicate, new ArrayList<>())) {
      Set<String> columns = RowFilter.columns(conjunct);
      long partitionColumns = columns.stream().filter(hive::has).count();
      if (partitionColumns == 0) {
        onFiles.add(conjunct);
      } else if (partitionColumns == columns.size()) {
        onPartitions.add(conjunct);
      } else {
        throw new ColumnException(String.join(",", columns), "filter " + conjunct + " mixes"
            + " partition columns (directory names) with the files' columns; combine them only"
            + " with and(...), or filter after reading");
      }
    }
    MessageType schema = hive.isEmpty() ? null
        : ParquetSchemas.toParquet(new Schema(hive.fields()));
    FilterPredicate partitions = and(onPartitions);
    if (partitions != null) {
      try {
        SchemaCompatibilityValidator.validate(partitions, schema);
      } catch (IllegalArgumentException e) {
        throw new ColumnException(String.join(",", RowFilter.columns(partitions)), "filter "
            + partitions + " does not fit the partition columns " + hive.fields() + ": "
            + e.getMessage());
      }
    }
    return new SplitPredicate(partitions, and(onFiles), schema);
  }

  private static List<FilterPredicate> conjuncts(FilterPredicate p, List<FilterPredicate> out) {
    if (p instanceof Operators.And and) {
      conjuncts(and.getLeft(), out);
      conjuncts(and.getRight(), out);
    } else {
      out.add(p);
    }
    return out;
  }

  private static FilterPredicate and(List<FilterPredicate> conjuncts) {
    return conjuncts.stream().reduce(FilterApi::and).orElse(null);
  }

  /**
   * Whether {@code file}'s partition values pass the partition conjuncts: its values as a one-row
   * block in {@code account}, through the same row filter the files' rows go through (Parquet's
   * null semantics included).
   */
  boolean keeps(Path file, HivePartitions hive, Account account) {
    if (partitions == null) {
      return true;
    }
    BlockBuilder builder = BlockBuilder.in(account);
    Object[] values = hive.values(file);
    List<String> names = new ArrayList<>();
    for (int k = 0; k < values.length; k++) {
      Field f = hive.fields().get(k);
      builder.column(f, Collections.singletonList(values[k]));
      names.add(f.getName());
    }
    Block kept = new RowFilter(partitions, partitionSchema).apply(builder.build(), names, account);
    if (kept == null) {
      return false;
    }
    kept.close();
    return true;
  }
}
