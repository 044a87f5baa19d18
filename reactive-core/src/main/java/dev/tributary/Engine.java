package dev.tributary;

import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.plan.Read;
import dev.tributary.plan.Source;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Where a dataset's plan runs: {@link #local()} (this process, Reactor; what every dataset does
 * unless told otherwise) or a distributed engine such as the {@code tributary-spark} module's,
 * chosen with {@link Dataset#execute(Engine)}.
 *
 * <p>A distributed engine runs what {@link PartitionPlan} cuts from the physical plan: the fused
 * per-partition stages over the read's splits, each split as a governed Tributary pipeline on a
 * worker, and the all-to-all stages as an exchange of blocks by key between them. Its {@link
 * #run} answers a dataset that reads the gathered result ({@link Result}); writing that dataset
 * with {@link Dataset#writeParquet} writes from the workers instead, one file set per partition,
 * committed once for the job.
 */
public interface Engine {
  /** The local engine: the dataset runs in this process, where its terminal operation runs. */
  static Engine local() {
    return LocalEngine.INSTANCE;
  }

  /**
   * {@code dataset} as this engine computes it: the local engine answers the dataset itself;
   * another engine a dataset reading its result, computed each time that dataset runs.
   *
   * @throws UnsupportedPlanException if this engine cannot run the plan (checked now)
   */
  Dataset run(Dataset dataset);

  /**
   * The result of a distributed engine's run, as a dataset's source: reading it runs the job and
   * reads what the workers produced; {@link #writeParquet} writes it from the workers instead.
   */
  interface Result extends Source {
    /**
     * Runs the job with {@code sink} as its end on every worker, each partition's files staged
     * and moved into the sink's directory only once every partition succeeded.
     */
    Mono<WriteSummary> writeParquet(ParquetSink sink);

    /**
     * The result's global aggregation by {@code aggregates} (each with a {@link
     * Aggregate#combiner()}) computed on the workers, each over its own partition: a dataset of
     * one row per partition, a column per aggregation named alike holding its {@link
     * Aggregate#partial() part} (a result or a state), which the combiners reduce where the
     * dataset's terminal runs; empty when the engine cannot (the whole result is then read there
     * and aggregated).
     */
    default Optional<Dataset> partialAggregates(List<Aggregate> aggregates) {
      return Optional.empty();
    }
  }

  /** A dataset reading {@code result} (for engines: what {@link #run} answers). */
  static Dataset of(Result result) {
    return new Dataset(new Read(Objects.requireNonNull(result, "result")), null);
  }
}
