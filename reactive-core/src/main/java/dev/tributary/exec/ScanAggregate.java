package dev.tributary.exec;

import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.plan.GroupAggregate;
import dev.tributary.plan.Pushdown;
import dev.tributary.plan.Read;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The fused scan aggregate: a global aggregation (no keys) straight over a read whose source
 * computes aggregations itself ({@link Pushdown.Kind#AGGREGATE}: a Parquet read), with no limit
 * pushed, of aggregations made from value states only ({@link Aggregate#fromValueStates}:
 * {@code count}, and {@code sum}, {@code min}, {@code max}, {@code absMax}, {@code mean} of
 * numeric columns), runs as that read computing their {@link Aggregate#partial() partial}
 * results on its reader threads as it decodes the pages (no block of the aggregated columns is
 * built or charged) and handing on one row of them, which the aggregation stage then combines
 * ({@link Aggregate#combiner()}). The values are those of the aggregation over the rows read:
 * nulls and NaN skipped alike, integer sums exact (an overflow fails the same way), floating
 * sums added per row group, then in reading order.
 */
final class ScanAggregate {
  private ScanAggregate() {}

  /**
   * {@code aggregate} as a combination over its input read's partial results, or null when it is
   * not a fused scan aggregate.
   */
  static GroupAggregate fuse(GroupAggregate aggregate) {
    if (!aggregate.keys().isEmpty() || !(aggregate.input() instanceof Read read)
        || !read.accepts(Pushdown.Kind.AGGREGATE) || read.pushdown().limit() >= 0
        || read.pushdown().aggregates() != null) {
      return null;
    }
    Schema schema = read.schema();
    if (schema == null) {
      return null;
    }
    List<Aggregate> combiners = new ArrayList<>();
    for (Aggregate a : aggregate.aggregates()) {
      Field field = null;
      if (a.column() != null) {
        field = schema.getFields().stream().filter(f -> f.getName().equals(a.column()))
            .findFirst().orElse(null);
        if (field == null) {
          return null;
        }
      }
      if (!a.fromValueStates(field == null ? null : field.getType())) {
        return null;
      }
      combiners.add(a.combiner().orElseThrow());
    }
    Read pushed = read.withPushdown(read.pushdown().withAggregates(aggregate.aggregates()));
    return new GroupAggregate(pushed, List.of(), combiners);
  }
}
