package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Bytes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The reactive terminals for services: called and completed on Reactor's non-blocking threads,
 * where BlockHound (active in every test) fails any blocking call; each completes only once its
 * execution has given its memory back.
 */
class MonoTerminalsTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("reactive")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  private Dataset evens() {
    return Tributary.range(100_000, 10).withRuntime(runtime)
        .filter(r -> (Long) r.get("id") % 2 == 0);
  }

  /** Assembles and subscribes {@code terminal} on a non-blocking thread. */
  private static <T> StepVerifier.FirstStep<T> onParallel(Supplier<Mono<T>> terminal) {
    return StepVerifier.create(Mono.defer(terminal).subscribeOn(Schedulers.parallel()));
  }

  @Test
  void countAndTakeNeverBlockAReactorThread() {
    onParallel(() -> evens().countMono()).expectNext(50_000L).verifyComplete();
    onParallel(() -> Tributary.range(100_000, 10).withRuntime(runtime).countMono())
        .expectNext(100_000L).verifyComplete();
    onParallel(() -> evens().takeMono(3))
        .expectNext(List.of(Map.of("id", 0L), Map.of("id", 2L), Map.of("id", 4L)))
        .verifyComplete();
    onParallel(() -> evens().takeAllMono())
        .assertNext(rows -> assertThat(rows).hasSize(50_000).last()
            .isEqualTo(Map.of("id", 99_998L)))
        .verifyComplete();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  @Test
  void writersNeverBlockAReactorThread() {
    Path parquet = dir.resolve("parquet");
    onParallel(() -> evens().writeParquetMono(parquet.toString()))
        .assertNext(s -> assertThat(s.rows()).isEqualTo(50_000))
        .verifyComplete();
    onParallel(() -> evens().writeCsvMono(dir.resolve("csv").toString()))
        .assertNext(s -> assertThat(s.rows()).isEqualTo(50_000))
        .verifyComplete();
    onParallel(() -> evens().writeJsonMono(dir.resolve("json").toString()))
        .assertNext(s -> assertThat(s.rows()).isEqualTo(50_000))
        .verifyComplete();
    WriteSummary arrow = evens().writeArrowMono(dir.resolve("arrow").toString())
        .subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(30));
    assertThat(arrow.rows()).isEqualTo(50_000);
    List<Long> ids = Tributary.readParquet(parquet.toString()).withRuntime(runtime).takeAll()
        .stream().map(r -> (Long) r.get("id")).toList();
    assertThat(ids).isEqualTo(LongStream.range(0, 50_000).map(i -> i * 2).boxed().toList());
  }

  @Test
  void aFailingTerminalFailsItsMonoOnceTheExecutionEnded() {
    onParallel(() -> Tributary.range(1000, 4).withRuntime(runtime).map(r -> {
      throw new IllegalStateException("bad");
    }).countMono())
        .expectErrorSatisfies(e -> assertThat(e).hasRootCauseMessage("bad"))
        .verify(Duration.ofSeconds(30));
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }
}
