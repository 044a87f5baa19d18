package dev.tributary.connectors;

import dev.tributary.memory.ColumnException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * How a file reader turns Hive-style partition directories into columns: {@code key=value}
 * directories below the directory (or a glob's fixed part) given to the reader, as Spark's {@code
 * partitionBy}, DuckDB's {@code PARTITION_BY}, Ray Data and Tributary's own sinks write them
 * ({@code year=2024/month=02/part-0.parquet}).
 *
 * <p>{@link #hive()} is what readers use unless told otherwise: a column per key, after the
 * file's columns, in path order; int64 when every value is a plain integer ({@code 7}, {@code
 * -12}; {@code 007} is text, as in DuckDB), else utf8; {@code __HIVE_DEFAULT_PARTITION__} is
 * null; {@code %XX} escapes are decoded. Every file must sit under the same keys. A path given as
 * a file has no partition columns.
 */
public final class Partitioning {
  private static final Partitioning HIVE = new Partitioning(true, null);
  private static final Partitioning NONE = new Partitioning(false, null);

  private final boolean enabled;
  private final Schema types;

  private Partitioning(boolean enabled, Schema types) {
    this.enabled = enabled;
    this.types = types;
  }

  /** Hive-style partition columns with types inferred from the values (the readers' default). */
  public static Partitioning hive() {
    return HIVE;
  }

  /**
   * Hive-style partition columns, those named in {@code types} read as its types (parsed as CSV
   * fields are: ISO dates and times, plain numbers, {@code true}/{@code false}), the others
   * inferred.
   *
   * @throws ColumnException if a type cannot be read from a directory name (lists, structs)
   */
  public static Partitioning hive(Schema types) {
    Objects.requireNonNull(types, "types");
    for (Field f : types.getFields()) {
      if (!TextTypes.flat(f.getType())) {
        throw new ColumnException(f.getName(), "is " + f.getType() + "; a partition value is a"
            + " directory name and holds only flat types");
      }
    }
    return new Partitioning(true, types);
  }

  /** No partition columns: directory names are ignored. */
  public static Partitioning none() {
    return NONE;
  }

  /** Whether {@code key=value} directories become columns. */
  boolean enabled() {
    return enabled;
  }

  /** The type given for partition column {@code key}, if any. */
  Optional<Field> given(String key) {
    return types == null ? Optional.empty()
        : types.getFields().stream().filter(f -> f.getName().equals(key)).findFirst();
  }

  /** The names given types, to check each is a partition key. */
  List<String> givenNames() {
    return types == null ? List.of()
        : types.getFields().stream().map(Field::getName).toList();
  }

  @Override
  public String toString() {
    return !enabled ? "Partitioning.none()"
        : types == null ? "Partitioning.hive()" : "Partitioning.hive(" + types + ")";
  }
}
