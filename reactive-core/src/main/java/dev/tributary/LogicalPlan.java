package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.OperatorStats;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/** The nodes of a dataset's logical plan: immutable, shared between datasets derived from it. */
final class LogicalPlan {
  private LogicalPlan() {}

  /** A node of the plan. */
  sealed interface Node permits Source, OneToOne, Limit, Union {
    /** The output schema if known without running, else null. */
    Schema schema();

    /** A one-line description for {@code explain()}. */
    String describe();
  }

  /** Makes a source's blocks for one execution. */
  @FunctionalInterface
  interface Reader {
    /**
     * The blocks, allocated in {@code account}; a source that reads storage reports what it read
     * through {@code stats}.
     */
    Flux<Block> read(Account account, DataContext context, OperatorStats stats);
  }

  /**
   * Produces blocks allocated in the account it is given.
   *
   * @param schemaSource the schema if known without reading data (may read metadata), else null
   * @param rowsSource the row count if known without reading data, else -1
   * @param blockCountFixed whether the blocks are as the user asked for them (a count, rows per
   *     block); if not, the executor may coalesce small ones
   */
  record Source(String name, Reader reader, Supplier<Schema> schemaSource,
      LongSupplier rowsSource, boolean blockCountFixed) implements Node {

    /** A source whose blocks are kept as it makes them. */
    Source(String name, Reader reader, Supplier<Schema> schemaSource, LongSupplier rowsSource) {
      this(name, reader, schemaSource, rowsSource, true);
    }

    /** A source whose schema and row count are known up front (null / -1 when not). */
    static Source of(String name, BiFunction<Account, DataContext, Flux<Block>> blocks,
        Schema schema, long rows) {
      return new Source(name, (account, context, stats) -> blocks.apply(account, context),
          () -> schema, () -> rows);
    }

    @Override
    public Schema schema() {
      return schemaSource.get();
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
   */
  record OneToOne(Node input, String name, BlockTransform transform, MapBatchesOptions options,
      UnaryOperator<Schema> outputSchema) implements Node {
    @Override
    public Schema schema() {
      Schema in = input.schema();
      return in == null || outputSchema == null ? null : outputSchema.apply(in);
    }

    @Override
    public String describe() {
      String opts = options.isDefaultStage() ? ""
          : "[" + (options.batchSize() > 0 ? "batchSize=" + options.batchSize() + " " : "")
              + "concurrency=" + options.concurrency() + "]";
      return name + opts;
    }
  }

  /** The first {@code rows} rows. */
  record Limit(Node input, long rows) implements Node {
    @Override
    public Schema schema() {
      return input.schema();
    }

    @Override
    public String describe() {
      return "Limit[" + rows + "]";
    }
  }

  /** Inputs one after the other. */
  record Union(List<Node> inputs) implements Node {
    @Override
    public Schema schema() {
      return inputs.get(0).schema();
    }

    @Override
    public String describe() {
      return "Union[" + inputs.size() + " inputs]";
    }
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
    } else if (node instanceof Limit l) {
      explain(l.input(), depth + 1, sb);
    } else if (node instanceof Union u) {
      u.inputs().forEach(i -> explain(i, depth + 1, sb));
    }
  }
}
