package dev.tributary;

import dev.tributary.connectors.ColumnSummary;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.ReadSettings;
import dev.tributary.connectors.ReadStats;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.operators.aggregate.ValueStates;
import dev.tributary.plan.Pushdown;
import dev.tributary.plan.Source;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
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
   * are filtered exactly; and where aggregations go: into the read, added up from the pages.
   */
  @Override
  public String describe(Pushdown pushdown) {
    List<String> notes = new ArrayList<>();
    if (pushdown.filter() != null) {
      notes.add("filter: files by partition values, row groups by statistics, dictionaries and"
          + " bloom filters, pages by column indexes, then rows");
    }
    if (pushdown.aggregates() != null) {
      notes.add("aggregate pushed into the Parquet read: partial results per row group from the"
          + " decoded pages, one row handed on");
    }
    return notes.isEmpty() ? pushdown.toString()
        : pushdown + " (" + String.join("; ", notes) + ")";
  }

  /**
   * Filters whose top-level conjuncts each read only file or only partition columns, and not the
   * path column ({@link ParquetSource#canFilter}); the others run as row filters.
   */
  @Override
  public boolean accepts(FilterPredicate predicate) {
    return source.canFilter(predicate);
  }

  /**
   * The configured source's schema, narrowed to the pushed columns (and the path column); null
   * (known from the one block) when aggregations are pushed.
   */
  @Override
  public Schema schema(Pushdown pushdown) {
    if (pushdown.aggregates() != null) {
      return null;
    }
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
    if (pushdown.aggregates() != null) {
      return 1;
    }
    if (pushdown.filter() != null) {
      return -1;
    }
    long all = rows.getAsLong();
    return all < 0 || pushdown.limit() < 0 ? all : Math.min(all, pushdown.limit());
  }

  @Override
  public Flux<Block> read(Pushdown pushdown, Account account, ReadSettings settings,
      OperatorStats stats) {
    if (pushdown.aggregates() != null) {
      return Tributary.reading((a, s, reads) -> partials(pushdown, a, s, reads))
          .read(account, settings, stats);
    }
    return Tributary.reading(configured(pushdown)::blocks).read(account, settings, stats);
  }

  /**
   * One block of the pushed aggregations' partial results over the rows the read keeps,
   * computed from its summary of the aggregated columns ({@link ParquetSource#summarize}), which
   * reads only those and the filter's.
   */
  private Flux<Block> partials(Pushdown pushdown, Account account, ReadSettings settings,
      ReadStats reads) {
    List<Aggregate> aggregates = pushdown.aggregates();
    Schema all = schema.get();
    Map<String, ColumnSummary> wanted = new LinkedHashMap<>();
    for (Aggregate a : aggregates) {
      if (!a.readsValues()) {
        continue; // the row count is enough
      }
      boolean integral = all.findField(a.column()).getType() instanceof ArrowType.Int;
      ColumnSummary before = wanted.get(a.column());
      boolean range = a.readsRange() || before != null && before.range();
      wanted.put(a.column(), ColumnSummary.of(a.column(), integral, range));
    }
    ParquetSource configured = configured(pushdown.withColumns(List.copyOf(wanted.keySet())));
    return configured.summarize(List.copyOf(wanted.values()), account, settings, reads)
        .map(summary -> account.allocate(() -> {
          List<FieldVector> vectors = new ArrayList<>();
          try {
            for (Aggregate a : aggregates) {
              ColumnSummary c = a.readsValues() ? summary.column(a.column()) : null;
              vectors.add(a.partialOf(summary.rows(), c == null ? null : states(c),
                  account.allocator()));
            }
            return Block.wrap(new VectorSchemaRoot(
                vectors.stream().map(FieldVector::getField).toList(), vectors, 1), account);
          } catch (RuntimeException e) {
            vectors.forEach(FieldVector::close);
            throw e;
          }
        }))
        .flux();
  }

  private static ValueStates states(ColumnSummary c) {
    return new ValueStates(c.integral(), c.values(), c.nulls(), c.longSum(), c.sumOverflows(),
        c.doubleSum(), c.longMin(), c.longMax(), c.doubleMin(), c.doubleMax());
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
