package dev.tributary.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.columnar.BlockBuilder;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Checkpointed Parquet writes in one JVM: an uninterrupted run, a run that fails midway and is
 * run again (each id once, the rows of a plain write), and the plans and checkpoints refused.
 * The killed-process case is {@code it.CheckpointKillTest}.
 */
class CheckpointTest {
  private static final int ROWS = 20_000;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("checkpoint")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final AtomicBoolean failing = new AtomicBoolean();

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(runtime.arena().allocatedBytes()).isZero();
  }

  /** Ids and squares; the map throws at id 17,000 while {@link #failing} is set. */
  private Dataset squares() {
    return Tributary.range(ROWS, 20).withRuntime(runtime).map(r -> {
      long id = (Long) r.get("id");
      if (id == 17_000 && failing.get()) {
        throw new IllegalStateException("injected failure at id " + id);
      }
      return Map.of("id", id, "square", id * id);
    });
  }

  private Checkpoint checkpoint() {
    return Checkpoint.of("id", dir.resolve("ckpt")).rowsPerCommit(2_000);
  }

  private List<Map<String, Object>> sortedRows(Path out) {
    return Tributary.readParquet(out.toString()).withRuntime(runtime).sort("id").takeAll();
  }

  private static List<Map<String, Object>> expected() {
    return LongStream.range(0, ROWS).mapToObj(i -> Map.<String, Object>of("id", i, "square",
        i * i)).toList();
  }

  @Test
  void anUninterruptedRunWritesWhatAPlainWriteWritesAndDeletesTheCheckpoint() {
    Path out = dir.resolve("out");
    WriteSummary summary = squares().writeParquet(ParquetSink.to(out), checkpoint());
    assertThat(summary.rows()).isEqualTo(ROWS);
    assertThat(summary.files()).isNotEmpty().allMatch(f -> f.startsWith(out.toAbsolutePath()));
    assertThat(dir.resolve("ckpt")).doesNotExist();
    assertThat(sortedRows(out)).isEqualTo(expected());
    Path plain = dir.resolve("plain");
    squares().writeParquet(ParquetSink.to(plain));
    assertThat(sortedRows(out)).isEqualTo(sortedRows(plain));
  }

  @Test
  void aFailedRunPublishesNothingAndTheNextRunWritesEachIdOnce() throws Exception {
    Path out = dir.resolve("out");
    failing.set(true);
    assertThatThrownBy(() -> squares().writeParquet(ParquetSink.to(out), checkpoint()))
        .hasStackTraceContaining("injected failure at id 17000");
    assertThat(out).doesNotExist();
    assertThat(dir.resolve("ckpt/job")).exists();
    failing.set(false);
    Dataset resumed = squares();
    WriteSummary summary = resumed.writeParquet(ParquetSink.to(out), checkpoint());
    assertThat(summary.rows()).isEqualTo(ROWS);
    assertThat(sortedRows(out)).isEqualTo(expected());
    assertThat(dir.resolve("ckpt")).doesNotExist();
    long committed = resumed.stats().operators().stream()
        .filter(o -> o.name().contains("SkipCommitted")).mapToLong(o -> o.rowsIn() - o.rowsOut())
        .sum();
    // What the failed run committed was skipped, not rewritten: the rows written add up.
    assertThat(resumed.stats().operators().stream().filter(o -> o.name().startsWith("Write"))
        .mapToLong(o -> o.rowsOut()).sum()).as(resumed.stats().toString())
        .isEqualTo(ROWS - committed);
  }

  @Test
  void aCheckpointOfAnotherPlanIsRefusedAndKept() {
    failing.set(true);
    Path out = dir.resolve("out");
    assertThatThrownBy(() -> squares().writeParquet(ParquetSink.to(out), checkpoint()))
        .hasStackTraceContaining("injected failure");
    failing.set(false);
    Dataset other = squares().filter(r -> (Long) r.get("id") % 2 == 0);
    assertThatThrownBy(() -> other.writeParquet(ParquetSink.to(out), checkpoint()))
        .isInstanceOf(PlanChangedException.class)
        .hasMessageContaining("made by another write").hasMessageContaining("Filter");
    assertThatThrownBy(() -> squares().writeParquet(ParquetSink.to(out).rowsPerFile(10),
        checkpoint())).isInstanceOf(PlanChangedException.class)
        .hasMessageContaining("rows per file");
    assertThat(dir.resolve("ckpt/job")).exists();
    assertThat(out).doesNotExist();
  }

  @Test
  void plansThatDoNotMapRowToRowAndMissingIdsAreRefusedBeforeAnythingRuns() {
    Path out = dir.resolve("out");
    assertThatThrownBy(() -> squares().limit(10).writeParquet(ParquetSink.to(out), checkpoint()))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("Limit")
        .hasMessageContaining("one input row");
    assertThatThrownBy(() -> squares().writeParquet(ParquetSink.to(out),
        Checkpoint.of("key", dir.resolve("ckpt"))))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("no column key");
    assertThatThrownBy(() -> Tributary.range(10).withRuntime(runtime).select("id")
        .withColumn("x", r -> 1.5).writeParquet(ParquetSink.to(out),
            Checkpoint.of("x", dir.resolve("ckpt"))))
        .isInstanceOf(CheckpointException.class);
    assertThat(out).doesNotExist();
  }

  /** {@code count} blocks of 1,000 ids from 0, then (if {@code endless}) a stream that never ends. */
  private Dataset blocks(Account user, int count, boolean endless) {
    Flux<Block> made = Flux.range(0, count).map(b -> BlockBuilder.in(user)
        .column("id", LongStream.range(b * 1_000L, (b + 1) * 1_000L).toArray()).build());
    return Tributary.fromFlux(endless ? Flux.concat(made, Flux.never()) : made)
        .withRuntime(runtime).filter(r -> true);
  }

  @Test
  void aCancelledWriteLeavesItsCommitsAndNoMemoryAndTheNextRunFinishesIt() throws Exception {
    Path out = dir.resolve("out");
    Path ckpt = dir.resolve("ckpt");
    Account user = runtime.arena().openAccount("user");
    Disposable write = blocks(user, 10, true)
        .writeParquetMono(ParquetSink.to(out), Checkpoint.of("id", ckpt).rowsPerCommit(1_000))
        .subscribe();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(ckpt.resolve("parts/9.ids")) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(ckpt.resolve("parts/9.ids")).as("ten segments committed, then it waits").exists();
    write.dispose();
    assertThat(runtime.arena().awaitEmpty(Duration.ofSeconds(30))).as(runtime.arena().report())
        .isTrue();
    assertThat(out).doesNotExist();
    WriteSummary resumed = blocks(user, 15, false)
        .writeParquet(ParquetSink.to(out), Checkpoint.of("id", ckpt).rowsPerCommit(1_000));
    assertThat(resumed.rows()).isEqualTo(15_000);
    assertThat(Tributary.readParquet(out.toString()).withRuntime(runtime).sort("id").takeAll())
        .isEqualTo(LongStream.range(0, 15_000).mapToObj(i -> Map.<String, Object>of("id", i))
            .toList());
    user.close();
  }

  @Test
  void aRunWithNothingLeftToWritePublishesTheCommittedSegments() {
    Path out = dir.resolve("out");
    WriteSummary summary = Tributary.range(0).withRuntime(runtime)
        .writeParquet(ParquetSink.to(out), checkpoint());
    assertThat(summary.rows()).isZero();
    assertThat(dir.resolve("ckpt")).doesNotExist();
    WriteSummary plain = Tributary.range(0).withRuntime(runtime)
        .writeParquet(ParquetSink.to(dir.resolve("plain")));
    assertThat(summary.files()).hasSameSizeAs(plain.files());
    assertThat(Files.isDirectory(out)).isEqualTo(Files.isDirectory(dir.resolve("plain")));
  }

  @Test
  void stringIdsWork() {
    Path out = dir.resolve("out");
    String[] names = LongStream.range(0, 5_000).mapToObj(i -> "row-" + i)
        .toArray(String[]::new);
    Dataset named = Tributary.fromColumns(Map.of("name", names)).withRuntime(runtime)
        .rebatch(500);
    assertThat(named.writeParquet(ParquetSink.to(out),
        Checkpoint.of("name", dir.resolve("ckpt")).rowsPerCommit(700)).rows()).isEqualTo(5_000);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files).isNotEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(Tributary.readParquet(out.toString()).withRuntime(runtime).count())
        .isEqualTo(5_000);
  }
}
