package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Writes are all or nothing: a target that is a file is refused before anything is written, a
 * cancelled write leaves nothing once {@code dispose()} returns or the error arrives, and a
 * publish that fails midway moves back what it moved.
 */
class AtomicWriteTest extends ArenaTestSupport {
  /** A writer of each format into a directory. */
  private interface Writer extends BiFunction<Path, Flux<Block>, Mono<WriteSummary>> {}

  static Stream<Arguments> writers() {
    return Stream.of(
        Arguments.of("parquet", (Writer) (d, b) -> ParquetSink.to(d).write(b)),
        Arguments.of("csv", (Writer) (d, b) -> TextSink.csv(d).write(b)),
        Arguments.of("json", (Writer) (d, b) -> TextSink.jsonLines(d).write(b)),
        Arguments.of("arrow", (Writer) (d, b) -> ArrowIpcSink.to(d).write(b)));
  }

  private Block block(int from, int rows) {
    Long[] id = new Long[rows];
    Long[] p = new Long[rows];
    for (int i = 0; i < rows; i++) {
      id[i] = (long) from + i;
      p[i] = (long) (from + i) % 2 + 1;
    }
    return BlockBuilder.in(account).column("id", id).column("p", p).build();
  }

  private static List<String> listing(Path directory) throws IOException {
    try (Stream<Path> s = Files.walk(directory)) {
      return s.filter(p -> !p.equals(directory)).map(p -> directory.relativize(p).toString())
          .sorted().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writers")
  void aTargetThatIsAnExistingFileIsRefusedBeforeAnythingIsWritten(String format, Writer writer)
      throws IOException {
    Path file = Files.writeString(dir.resolve("existing"), "keep me");
    assertThatThrownBy(() -> writer.apply(file, Flux.defer(() -> Flux.just(block(0, 10))))
        .block())
        .isInstanceOfSatisfying(WriteException.class, e -> assertThat(e.path()).isEqualTo(file))
        .hasMessageContaining(file.toString()).hasMessageContaining("existing file");
    assertThat(Files.readString(file)).isEqualTo("keep me");
    assertThat(listing(dir)).containsExactly("existing");
  }

  @Test
  void aTargetThatBecomesAFileAfterTheSinkWasMadeIsRefusedWhenTheWriteStarts()
      throws IOException {
    Path target = dir.resolve("out");
    ParquetSink sink = ParquetSink.to(target);
    Files.writeString(target, "keep me");
    StepVerifier.create(sink.write(Flux.defer(() -> Flux.just(block(0, 10)))))
        .expectError(WriteException.class)
        .verify(Duration.ofSeconds(30));
    assertThat(Files.readString(target)).isEqualTo("keep me");
    assertThat(listing(dir)).containsExactly("out");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writers")
  void aNewDirectoryAppearsWholeAndNoStagingIsLeft(String format, Writer writer)
      throws IOException {
    Path target = dir.resolve("new/out");
    WriteSummary summary = writer.apply(target,
        Flux.defer(() -> Flux.just(block(0, 10), block(10, 10)))).block();
    assertThat(summary.rows()).isEqualTo(20);
    assertThat(listing(dir.resolve("new"))).hasSize(2).first().isEqualTo("out");
    assertThat(listing(target)).hasSize(1).allMatch(n -> n.startsWith("part-"));
    assertThat(summary.files()).allMatch(Files::isRegularFile);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writers")
  void aWriteIntoAnExistingDirectoryAddsItsFilesAndLeavesNoStaging(String format,
      Writer writer) throws IOException {
    Path target = Files.createDirectory(dir.resolve("out"));
    Files.writeString(target.resolve("keep.txt"), "keep");
    WriteSummary summary = writer.apply(target, Flux.defer(() -> Flux.just(block(0, 10))))
        .block();
    assertThat(listing(target)).hasSize(2).contains("keep.txt");
    assertThat(summary.files()).hasSize(1).allMatch(Files::isRegularFile);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writers")
  void aDisposedWriteHasLeftNothingWhenDisposeReturns(String format, Writer writer)
      throws IOException {
    Path target = dir.resolve("out");
    Sinks.Many<Block> upstream = Sinks.many().unicast().onBackpressureBuffer();
    Disposable write = writer.apply(target, upstream.asFlux()).subscribe();
    upstream.tryEmitNext(block(0, 100));
    upstream.tryEmitNext(block(100, 100));
    // Both blocks written (and closed) and their file staged: the write now waits for more.
    while (account.heldBytes() > 0 || listing(dir).isEmpty()) {
      Thread.onSpinWait();
    }
    assertThat(listing(dir)).isNotEmpty().allMatch(n -> n.startsWith(".out.tributary-"));
    write.dispose();
    assertThat(listing(dir)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writers")
  void aWriteDisposedWhileABlockIsBeingWrittenHasLeftNothingWhenDisposeReturns(String format,
      Writer writer) throws IOException {
    Path target = dir.resolve("out");
    Sinks.Many<Block> upstream = Sinks.many().unicast().onBackpressureBuffer();
    Disposable write = writer.apply(target, upstream.asFlux()).subscribe();
    upstream.tryEmitNext(block(0, 1_000_000));
    // The file exists once writing the block began; a million rows take a while.
    while (listing(dir).size() < 2) {
      Thread.onSpinWait();
    }
    write.dispose();
    assertThat(listing(dir)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writers")
  void aWriteCancelledFromAReactorThreadHasLeftNothingWhenTheErrorArrives(String format,
      Writer writer) throws IOException {
    Path target = Files.createDirectory(dir.resolve("out"));
    Files.writeString(target.resolve("keep.txt"), "keep");
    // Blocks are made as they are asked for: one the sink never asked for (a first write slow
    // enough for the timeout to come first) was never handed over, so nobody would release it.
    Flux<Block> endless = Flux.concat(
        Flux.range(0, 2).map(i -> block(i * 100, 100)), Flux.never());
    // The timeout cancels the write on a parallel (non-blocking) thread, then signals the error.
    StepVerifier.create(writer.apply(target, endless).timeout(Duration.ofMillis(300)))
        .expectError(TimeoutException.class)
        .verify(Duration.ofSeconds(30));
    assertThat(listing(target)).containsExactly("keep.txt");
  }

  @Test
  void aPublishThatFailsMidwayMovesBackWhatItMoved() throws IOException {
    Path target = Files.createDirectory(dir.resolve("out"));
    // A file where the second partition's directory must go: its files cannot be moved in.
    Files.writeString(target.resolve("p=2"), "in the way");
    assertThatThrownBy(() -> ParquetSink.to(target).partitionBy("p").rowsPerFile(10)
        .write(Flux.defer(() -> Flux.just(block(0, 40)))).block())
        .isInstanceOf(WriteException.class)
        .hasMessageContaining("p=2").hasMessageContaining("moved back");
    assertThat(listing(target)).containsExactly("p=2");
    assertThat(Files.readString(target.resolve("p=2"))).isEqualTo("in the way");
  }
}
