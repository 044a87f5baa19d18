package dev.tributary;

import dev.tributary.connectors.ParquetSource;
import dev.tributary.exec.PhysicalPlan;
import dev.tributary.exec.PhysicalPlan.AggregateStage;
import dev.tributary.exec.PhysicalPlan.ExchangeStage;
import dev.tributary.exec.PhysicalPlan.MapStage;
import dev.tributary.exec.PhysicalPlan.OutputStage;
import dev.tributary.exec.PhysicalPlan.ReadStage;
import dev.tributary.operators.BlockTransform;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.plan.GroupAggregate;
import dev.tributary.plan.MapRows;
import dev.tributary.plan.Pushdown;
import dev.tributary.plan.Read;
import dev.tributary.plan.Repartition;
import dev.tributary.plan.Source;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.parquet.filter2.predicate.FilterPredicate;

/**
 * A dataset's physical plan as a distributed engine runs it: a Parquet read cut into splits (one
 * per file), then {@link Step steps} — {@link Pipeline}s of fused per-partition stages, each run
 * as a governed Tributary pipeline on a worker, and {@link Exchange}s of blocks by key between
 * them (a group-by aggregation, a repartition). Serializable, to travel inside the job.
 *
 * <p>Cut from the same physical plan the local engine runs and {@code explain()} shows, so the
 * fused stages are the same; what it cannot cut (joins, sorts, limits, unions, worker pools,
 * other sources, ...) is refused when it is built, naming the stage.
 */
public final class PartitionPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> paths;
  private final int splits;
  private final ArrayList<String> columns;
  private final FilterPredicate filter;
  private final ArrayList<Step> steps;

  private PartitionPlan(List<String> paths, int splits, List<String> columns,
      FilterPredicate filter, List<Step> steps) {
    this.paths = List.copyOf(paths);
    this.splits = splits;
    this.columns = columns == null ? null : new ArrayList<>(columns);
    this.filter = filter;
    this.steps = new ArrayList<>(steps);
  }

  /**
   * The plan of {@code dataset} as {@code engine} (its name, for errors) runs it: optimized and
   * fused as the local engine would, under the dataset's context.
   *
   * @throws UnsupportedPlanException naming the first stage the engine cannot run
   */
  public static PartitionPlan of(Dataset dataset, String engine) {
    PhysicalPlan root = Execution.physical(dataset.plan, dataset.context());
    OutputStage output = (OutputStage) root;
    if (output.sink() != null) {
      throw new UnsupportedPlanException(engine, output.name(),
          "write the dataset that execute(engine) answers instead");
    }
    List<Step> steps = new ArrayList<>();
    PhysicalPlan node = output.input();
    while (!(node instanceof ReadStage)) {
      if (node instanceof MapStage m && m.gpu() == null) {
        steps.add(0, new Pipeline(m.name(), m.transform(), m.rebatchRows()));
      } else if (node instanceof AggregateStage a) {
        steps.add(0, new Exchange(a.name(), a.node().keys(), 0, a.node().aggregates()));
      } else if (node instanceof ExchangeStage x && x.node() instanceof Repartition r) {
        steps.add(0, new Exchange(x.name(), r.keys(), r.blocks(), List.of()));
      } else {
        throw new UnsupportedPlanException(engine, node.name(), "not a fused map stage, a "
            + "group-by aggregation or a repartition; run it locally on the result instead");
      }
      node = node.inputs().get(0);
    }
    Read read = ((ReadStage) node).read();
    if (!(read.source() instanceof ParquetRead parquet) || parquet.paths() == null) {
      throw new UnsupportedPlanException(engine, read.source().name(),
          "only Tributary.readParquet(paths...) is split into partitions");
    }
    Pushdown pushdown = read.pushdown();
    if (pushdown.limit() >= 0) {
      throw new UnsupportedPlanException(engine, read.describe(),
          "a limit is not split into partitions");
    }
    return new PartitionPlan(parquet.paths(), parquet.source().files().size(),
        pushdown.columns(), pushdown.filter(), steps);
  }

  /** The read's splits: one per Parquet file. */
  public int splits() {
    return splits;
  }

  /** What runs after the read, source side first. */
  public List<Step> steps() {
    return List.copyOf(steps);
  }

  /**
   * Split {@code split}'s read, with what the optimizer pushed into the read (columns, filter);
   * the paths are expanded again where this runs, so they must name the same files there.
   */
  public Dataset read(int split) {
    ParquetSource source = ParquetSource.of(paths);
    if (source.files().size() != splits) {
      throw new IllegalStateException("the paths " + paths + " name " + source.files().size()
          + " Parquet files here, " + splits + " where the plan was made");
    }
    Pushdown pushdown = new Pushdown(columns, filter, -1);
    return new Dataset(new Read(new ParquetRead(source.split(split, split + 1)), pushdown), null);
  }

  /**
   * A dataset over blocks an exchange delivered: {@code source} reads them (its schema and row
   * count may be unknown).
   */
  public static Dataset read(Source source) {
    return new Dataset(new Read(Objects.requireNonNull(source, "source")), null);
  }

  @Override
  public String toString() {
    return "ReadParquet[" + splits + " splits] -> " + steps;
  }

  /** A step after the read: a pipeline on each partition, or an exchange between them. */
  public sealed interface Step extends Serializable permits Pipeline, Exchange {
    /** The stage's name in plans and stats (and in errors about it). */
    String name();
  }

  /**
   * One fused stage of one-to-one operators, run on each partition as it streams.
   *
   * @param name the stage's name (its operators, as {@code explain()} shows them)
   * @param transform the fused transform
   * @param rebatchRows rows per input block (a re-cut before the transform), or 0
   */
  public record Pipeline(String name, BlockTransform transform, int rebatchRows)
      implements Step {
    /** Checks the arguments. */
    public Pipeline {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(transform, "transform");
    }

    /** {@code input} with this stage after it. */
    public Dataset apply(Dataset input) {
      Dataset cut = rebatchRows > 0 ? input.rebatch(rebatchRows) : input;
      return cut.derive(new MapRows(cut.plan, name, transform, null));
    }
  }

  /**
   * An all-to-all stage: blocks cut by the hash of their keys into partitions, each partition
   * gathered on one worker, then aggregated per group (a group-by aggregation) or passed on (a
   * repartition).
   *
   * @param name the stage's name
   * @param keys the key columns (none: one partition for an aggregation, blocks dealt round
   *     robin for a repartition)
   * @param partitions the partitions a repartition asked for, or 0 for the engine's choice
   * @param aggregates the aggregations, or none for a repartition
   */
  public record Exchange(String name, List<String> keys, int partitions,
      List<Aggregate> aggregates) implements Step {
    /** Copies the lists. */
    public Exchange {
      Objects.requireNonNull(name, "name");
      keys = new ArrayList<>(keys);
      aggregates = new ArrayList<>(aggregates);
    }

    /** The partitions of this exchange when the engine would choose {@code fallback}. */
    public int partitions(int fallback) {
      if (!aggregates.isEmpty() && keys.isEmpty()) {
        return 1;
      }
      return partitions > 0 ? partitions : fallback;
    }

    /** What runs on one partition's gathered blocks: the aggregation, or nothing. */
    public Dataset after(Dataset gathered) {
      return aggregates.isEmpty() ? gathered
          : gathered.derive(new GroupAggregate(gathered.plan, keys, aggregates));
    }
  }
}
