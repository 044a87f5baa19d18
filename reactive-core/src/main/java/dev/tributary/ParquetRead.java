package dev.tributary;

import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.ReadSettings;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.OperatorStats;
import dev.tributary.plan.Pushdown;
import dev.tributary.plan.Source;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import reactor.core.publisher.Flux;

/**
 * A {@link ParquetSource} as a plan's source: it takes over columns, filters and limits, each
 * applied through the source's own options on top of what the user configured. The footers are
 * read once per dataset (schema and row count), whatever is pushed later.
 */
final class ParquetRead implements Source {
  /** The column {@link ParquetSource#includePaths()} adds: not in any file. */
  private static final String PATH = "path";

  private final ParquetSource source;
  private final Supplier<Schema> schema;
  private final LongSupplier rows;

  ParquetRead(ParquetSource source) {
    this.source = source;
    this.schema = Memo.of(source::schema);
    this.rows = Memo.ofLong(source::rowCount);
  }

  /** The source read. */
  ParquetSource source() {
    return source;
  }

  @Override
  public String name() {
    return "ReadParquet[" + source.files().size() + " files]";
  }

  @Override
  public Set<Pushdown.Kind> accepts() {
    return EnumSet.allOf(Pushdown.Kind.class);
  }

  /**
   * What is pushed, and where a filter goes: partition values prune files, row-group statistics,
   * dictionaries and bloom filters skip row groups, column indexes skip pages, and the rows read
   * are filtered exactly.
   */
  @Override
  public String describe(Pushdown pushdown) {
    return pushdown.filter() == null ? pushdown.toString() : pushdown
        + " (filter: files by partition values, row groups by statistics, dictionaries and bloom"
        + " filters, pages by column indexes, then rows)";
  }

  /**
   * Filters whose top-level conjuncts each read only file or only partition columns, and not the
   * path column ({@link ParquetSource#canFilter}); the others run as row filters.
   */
  @Override
  public boolean accepts(FilterPredicate predicate) {
    return source.canFilter(predicate);
  }

  /** The configured source's schema, narrowed to the pushed columns (and the path column). */
  @Override
  public Schema schema(Pushdown pushdown) {
    Schema all = schema.get();
    if (all == null || pushdown.columns() == null) {
      return all;
    }
    List<Field> fields = new ArrayList<>();
    for (String name : pushdown.columns()) {
      all.getFields().stream().filter(f -> f.getName().equals(name)).findFirst()
          .ifPresent(fields::add);
    }
    if (source.includesPaths() && !pushdown.columns().contains(PATH)) {
      fields.add(all.findField(PATH));
    }
    return new Schema(fields);
  }

  /** False unless the user fixed the count ({@link ParquetSource#overrideNumBlocks(int)}). */
  @Override
  public boolean blockCountFixed() {
    return source.blockCountFixed();
  }

  @Override
  public long rows(Pushdown pushdown) {
    if (pushdown.filter() != null) {
      return -1;
    }
    long all = rows.getAsLong();
    return all < 0 || pushdown.limit() < 0 ? all : Math.min(all, pushdown.limit());
  }

  @Override
  public Flux<Block> read(Pushdown pushdown, Account account, ReadSettings settings,
      OperatorStats stats) {
    return Tributary.reading(configured(pushdown)::blocks).read(account, settings, stats);
  }

  /** The source with {@code pushdown} applied through its options. */
  private ParquetSource configured(Pushdown pushdown) {
    ParquetSource configured = source;
    if (pushdown.columns() != null) {
      configured = configured.columns(pushdown.columns().stream()
          .filter(c -> !(source.includesPaths() && c.equals(PATH))).toList());
    }
    if (pushdown.filter() != null) {
      configured = configured.filter(pushdown.filter());
    }
    if (pushdown.limit() >= 0) {
      configured = configured.limit(pushdown.limit());
    }
    return configured;
  }
}
