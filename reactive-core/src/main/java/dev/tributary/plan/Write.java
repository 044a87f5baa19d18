package dev.tributary.plan;

import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Block;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A sink at the root of a plan: the blocks go to {@code sink} instead of a consumer, through
 * the write's own governed account and stats row.
 *
 * @param input the input
 * @param name the sink's name in plans and stats, e.g. {@code WriteParquet}
 * @param sink writes the blocks it is given (each subscription one write) on the execution's I/O
 *     scheduler it is given, and reports it
 */
public record Write(LogicalPlan input, String name,
    BiFunction<Flux<Block>, Scheduler, Mono<WriteSummary>> sink) implements SameColumns {
  /** Checks the arguments. */
  public Write {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sink, "sink");
  }

  @Override
  public LogicalPlan withInputs(List<LogicalPlan> inputs) {
    return new Write(Inputs.one(inputs, "a write"), name, sink);
  }

  @Override
  public String describe() {
    return name;
  }
}
