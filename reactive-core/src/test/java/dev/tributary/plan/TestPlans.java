package dev.tributary.plan;

import dev.tributary.connectors.ReadSettings;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.ColumnMapping;
import dev.tributary.operators.OperatorStats;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/** Plans for rule tests: sources of int64 columns that take over what they are told to. */
final class TestPlans {
  static final BlockTransform SAME = (in, out) -> in;

  private TestPlans() {}

  /** A read of int64 columns {@code columns}, accepting {@code accepts}. */
  static Read read(List<String> columns, Pushdown.Kind... accepts) {
    Set<Pushdown.Kind> kinds = accepts.length == 0 ? Set.of() : EnumSet.of(accepts[0], accepts);
    Schema all = new Schema(columns.stream().map(c -> new Field(c,
        FieldType.nullable(new ArrowType.Int(64, true)), null)).toList());
    return new Read(new Source() {
      @Override
      public String name() {
        return "Test" + columns;
      }

      @Override
      public Set<Pushdown.Kind> accepts() {
        return kinds;
      }

      @Override
      public Schema schema(Pushdown pushdown) {
        return pushdown.columns() == null ? all : new Schema(pushdown.columns().stream()
            .map(all::findField).toList());
      }

      @Override
      public long rows(Pushdown pushdown) {
        return -1;
      }

      @Override
      public Flux<Block> read(Pushdown pushdown, Account account, ReadSettings settings,
          OperatorStats stats) {
        return Flux.empty();
      }
    });
  }

  /** A read of columns id, x, y taking over everything. */
  static Read parquetLike() {
    return read(List.of("id", "x", "y"), Pushdown.Kind.COLUMNS, Pushdown.Kind.FILTER,
        Pushdown.Kind.LIMIT);
  }

  static Project select(LogicalPlan input, String... columns) {
    return new Project(input, ColumnMapping.select(List.of(columns)));
  }

  static Project rename(LogicalPlan input, String from, String to) {
    return new Project(input, ColumnMapping.rename(from, to));
  }

  static Filter opaqueFilter(LogicalPlan input) {
    return Filter.opaque(input, "Filter", SAME);
  }

  static MapRows map(LogicalPlan input) {
    return new MapRows(input, "Map", SAME, null);
  }

  static MapBatches mapBatches(LogicalPlan input, int batchSize, int concurrency) {
    return new MapBatches(input, "MapBatches", SAME, batchSize, concurrency);
  }

  /** The read at the bottom of a chain of single-input nodes. */
  static Read readUnder(LogicalPlan plan) {
    LogicalPlan node = plan;
    while (!(node instanceof Read)) {
      node = node.inputs().get(0);
    }
    return (Read) node;
  }
}
