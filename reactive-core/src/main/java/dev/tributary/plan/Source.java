package dev.tributary.plan;

import dev.tributary.connectors.ReadSettings;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.OperatorStats;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import reactor.core.publisher.Flux;

/**
 * What a {@link Read} reads: a source of blocks, and what of the plan above it the source can
 * take over ({@link #accepts()}). The optimizer pushes only what a source accepts; every method
 * is given the {@link Pushdown} of the read it serves.
 */
public interface Source {
  /** The read's name in plans and stats, e.g. {@code ReadParquet[3 files]}. */
  String name();

  /**
   * What {@code pushdown} does in this source, as plans show it after the read's name: by
   * default what is pushed ({@link Pushdown#toString()}); a source may say where each part
   * goes.
   */
  default String describe(Pushdown pushdown) {
    return pushdown.toString();
  }

  /** What this source can take over (none unless it says so). */
  default Set<Pushdown.Kind> accepts() {
    return Set.of();
  }

  /**
   * Whether this source can take over the filter {@code predicate} (by default: whether it takes
   * filters at all). A source that takes only some predicates says no to the others, which then
   * run as row filters above the read.
   */
  default boolean accepts(FilterPredicate predicate) {
    return accepts().contains(Pushdown.Kind.FILTER);
  }

  /**
   * The schema of the blocks read with {@code pushdown}, if known without reading data (reading
   * metadata such as Parquet footers is fine), else null.
   */
  Schema schema(Pushdown pushdown);

  /** The rows read with {@code pushdown}, if known without reading data, else -1. */
  long rows(Pushdown pushdown);

  /**
   * Whether the blocks are as the user asked for them (a count, rows per block); if not, the
   * executor may coalesce small ones (as it does for Parquet row groups). True unless a source
   * says otherwise.
   */
  default boolean blockCountFixed() {
    return true;
  }

  /**
   * The blocks, read as {@code pushdown} says, allocated in {@code account}, cut and retried as
   * {@code settings} say; a source that reads storage reports what it read through {@code
   * stats}. Nothing runs before subscription.
   */
  Flux<Block> read(Pushdown pushdown, Account account, ReadSettings settings,
      OperatorStats stats);

  /** Makes one read's blocks. */
  @FunctionalInterface
  interface Reader {
    /** The blocks, allocated in {@code account}, made on subscription. */
    Flux<Block> read(Account account, ReadSettings settings, OperatorStats stats);
  }

  /**
   * A source that takes nothing over: its blocks from {@code reader}, its schema and row count
   * (null and -1 when unknown) from the suppliers, asked when a plan needs them.
   */
  static Source of(String name, Reader reader, Supplier<Schema> schema, LongSupplier rows) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(reader, "reader");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(rows, "rows");
    return new Source() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Schema schema(Pushdown pushdown) {
        return schema.get();
      }

      @Override
      public long rows(Pushdown pushdown) {
        return rows.getAsLong();
      }

      @Override
      public Flux<Block> read(Pushdown pushdown, Account account, ReadSettings settings,
          OperatorStats stats) {
        return reader.read(account, settings, stats);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
