package dev.tributary.spark;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Engine;
import dev.tributary.PartitionPlan;
import dev.tributary.PartitionPlan.Exchange;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.ReadSettings;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.OperatorStats;
import dev.tributary.operators.aggregate.Aggregate;
import dev.tributary.operators.aggregate.HashAggregate;
import dev.tributary.plan.Pushdown;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What {@link SparkEngine#run} answers: a source that runs the job when read (each read one job)
 * and decodes the blocks the driver receives into the reading execution's account, as they come
 * (a group-by's rows per task combined here when the job sends those, {@link
 * SparkJob.Results#combining()}).
 */
final class SparkResult implements Engine.Result {
  private final SparkJob job;
  private final PartitionPlan plan;

  SparkResult(SparkJob job, PartitionPlan plan) {
    this.job = job;
    this.plan = plan;
  }

  @Override
  public String name() {
    return "Spark[" + plan + "]";
  }

  @Override
  public Schema schema(Pushdown pushdown) {
    return null;
  }

  @Override
  public long rows(Pushdown pushdown) {
    return -1;
  }

  @Override
  public Flux<Block> read(Pushdown pushdown, Account account, ReadSettings settings,
      OperatorStats stats) {
    // Reads run on the execution's I/O scheduler, where waiting for Spark may block. A cancel
    // (the reader stopped early) drops what the job held (a sort's cached input, a broadcast).
    return Flux.using(job::blocks, blocks -> {
      Flux<Block> decoded = Flux.fromIterable(() -> blocks)
          .map(b -> IpcBlocks.decode((byte[]) b, account));
      Exchange combining = blocks.combining();
      // Each task's rows per group: combined here, as the exchange's tasks would (spilling past
      // the reading execution's budget).
      return combining == null ? decoded : HashAggregate.of(combining.keys(),
          combining.aggregates(), account, settings.scheduler())
          .spillTo(DataContext.current().spill().directory()).apply(decoded);
    }, SparkJob.Results::close);
  }

  @Override
  public Mono<WriteSummary> writeParquet(ParquetSink sink) {
    Objects.requireNonNull(sink, "sink");
    return Mono.fromCallable(() -> job.write(sink)).subscribeOn(Schedulers.boundedElastic());
  }

  /** Each task of the job's last stage aggregates its partition; only those rows come back. */
  @Override
  public Optional<Dataset> partialAggregates(List<Aggregate> aggregates) {
    return Optional.of(Engine.of(new SparkResult(job.then(new TaskStep.AggregateEach(
        List.of(), aggregates.stream().map(Aggregate::partial).toList())), plan)));
  }

  @Override
  public String toString() {
    return name();
  }
}
