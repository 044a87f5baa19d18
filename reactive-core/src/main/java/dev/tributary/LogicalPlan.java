package dev.tributary;

import dev.tributary.connectors.ReadSettings;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.Schemas;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.OperatorStats;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/** The nodes of a dataset's logical plan: immutable, shared between datasets derived from it. */
final class LogicalPlan {
  private LogicalPlan() {}

  /** A node of the plan. */
  sealed interface Node permits Source, OneToOne, FlatMap, Limit, Union {
    /** The output schema if known without running, else null. */
    Schema schema();

    /**
     * The output column names, in order, if known without running (they may be known when the
     * types are not, as after {@code withColumn}), else null.
     */
    List<String> columns();

    /** A one-line description for {@code explain()}. */
    String describe();
  }

  /** Makes a source's blocks for one execution. */
  @FunctionalInterface
  interface Reader {
    /**
     * The blocks, allocated in {@code account}, cut and read as {@code settings} say (block size,
     * retries, the execution's I/O scheduler); a source that reads storage reports what it read
     * through {@code stats}.
     */
    Flux<Block> read(Account account, ReadSettings settings, OperatorStats stats);
  }

  /**
   * Produces blocks allocated in the account it is given.
   *
   * @param schemaSource the schema if known without reading data (may read metadata), else null
   * @param rowsSource the row count if known without reading data, else -1
   */
  record Source(String name, Reader reader, Supplier<Schema> schemaSource,
      LongSupplier rowsSource) implements Node {

    /** A source whose schema and row count are known up front (null / -1 when not). */
    static Source of(String name, BiFunction<Account, ReadSettings, Flux<Block>> blocks,
        Schema schema, long rows) {
      return new Source(name, (account, settings, stats) -> blocks.apply(account, settings),
          () -> schema, () -> rows);
    }

    /**
     * {@inheritDoc}
     *
     * @throws dev.tributary.memory.ColumnException if two of the source's columns share a name
     */
    @Override
    public Schema schema() {
      Schema schema = schemaSource.get();
      if (schema != null) {
        Schemas.requireUniqueNames(schema.getFields(), name);
      }
      return schema;
    }

    @Override
    public List<String> columns() {
      return names(schema());
    }

    /** The row count if known without reading data, else -1. */
    long rows() {
      return rowsSource.getAsLong();
    }

    @Override
    public String describe() {
      return name;
    }
  }

  /**
   * A streaming one-to-one operator.
   *
   * @param outputSchema computes the output schema from the input's, or null when unknown
   * @param outputColumns computes the output column names from the input's, or null when
   *     unknown; given whenever {@code outputSchema} is
   */
  record OneToOne(Node input, String name, BlockTransform transform, MapBatchesOptions options,
      UnaryOperator<Schema> outputSchema, UnaryOperator<List<String>> outputColumns)
      implements Node {
    @Override
    public Schema schema() {
      // The input's schema is asked for only when it matters: a file source reads metadata.
      if (outputSchema == null) {
        return null;
      }
      Schema in = input.schema();
      return in == null ? null : outputSchema.apply(in);
    }

    @Override
    public List<String> columns() {
      if (outputColumns == null) {
        return null;
      }
      List<String> in = input.columns();
      return in == null ? null : outputColumns.apply(in);
    }

    @Override
    public String describe() {
      String opts = options.isDefaultStage() ? ""
          : "[" + (options.batchSize() > 0 ? "batchSize=" + options.batchSize() + " " : "")
              + "concurrency=" + options.concurrency() + "]";
      return name + opts;
    }
  }

  /** Every row replaced by the rows {@code fn} returns; output blocks cut as rows are made. */
  record FlatMap(Node input,
      Function<Map<String, Object>, ? extends Iterable<Map<String, Object>>> fn)
      implements Node {
    @Override
    public Schema schema() {
      return null;
    }

    @Override
    public List<String> columns() {
      return null;
    }

    @Override
    public String describe() {
      return "FlatMap";
    }
  }

  /** The first {@code rows} rows. */
  record Limit(Node input, long rows) implements Node {
    @Override
    public Schema schema() {
      return input.schema();
    }

    @Override
    public List<String> columns() {
      return input.columns();
    }

    @Override
    public String describe() {
      return "Limit[" + rows + "]";
    }
  }

  /** Inputs one after the other. */
  record Union(List<Node> inputs) implements Node {
    /** The inputs' schemas unified ({@link Schemas#unify}) when every one is known. */
    @Override
    public Schema schema() {
      Schema unified = null;
      for (Node input : inputs) {
        Schema s = input.schema();
        if (s == null) {
          return null;
        }
        unified = unified == null ? s : Schemas.unify(unified, s, "union");
      }
      return unified;
    }

    @Override
    public List<String> columns() {
      return inputs.get(0).columns();
    }

    @Override
    public String describe() {
      return "Union[" + inputs.size() + " inputs]";
    }
  }

  /** The column names of {@code schema}, or null when it is. */
  static List<String> names(Schema schema) {
    return schema == null ? null
        : schema.getFields().stream().map(org.apache.arrow.vector.types.pojo.Field::getName)
            .toList();
  }

  /** The plan as an indented tree, output first. */
  static String explain(Node node) {
    StringBuilder sb = new StringBuilder();
    explain(node, 0, sb);
    return sb.toString();
  }

  private static void explain(Node node, int depth, StringBuilder sb) {
    sb.append("  ".repeat(depth)).append(depth == 0 ? "" : "<- ").append(node.describe())
        .append('\n');
    if (node instanceof OneToOne o) {
      explain(o.input(), depth + 1, sb);
    } else if (node instanceof FlatMap f) {
      explain(f.input(), depth + 1, sb);
    } else if (node instanceof Limit l) {
      explain(l.input(), depth + 1, sb);
    } else if (node instanceof Union u) {
      u.inputs().forEach(i -> explain(i, depth + 1, sb));
    }
  }
}
