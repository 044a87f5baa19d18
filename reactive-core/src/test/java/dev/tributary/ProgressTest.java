package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("progress")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final PrintStream err = System.err;

  @AfterEach
  void restore() {
    System.setErr(err);
    runtime.close();
    assertThat(arena.allocatedBytes()).isZero();
  }

  @Test
  void aRunningExecutionPrintsOperatorProgressLinesAndAFinalOne() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    java.util.concurrent.atomic.AtomicLong deadlineOfWork = new java.util.concurrent.atomic
        .AtomicLong();
    Dataset ds = Tributary.range(4000, 8)
        .withContext(DataContext.defaults().withProgressBars(true))
        .map(r -> {
          deadlineOfWork.compareAndSet(0, System.nanoTime() + Duration.ofMillis(2500).toNanos());
          double work = 0;
          while (System.nanoTime() < deadlineOfWork.get()) {
            work += Math.sqrt(work + 1); // busy: user work lasting past one progress period
          }
          r.put("work", work);
          return r;
        });
    assertThat(ds.count()).isEqualTo(4000);
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    String text = "";
    while (System.nanoTime() < until && !text.contains("Output 8 blk 4000 rows")) {
      Thread.sleep(20);
      text = captured.toString(StandardCharsets.UTF_8);
    }
    assertThat(text).contains("[tributary ").contains("Range").contains("-> Output 8 blk 4000 rows")
        .contains("| memory ");
    assertThat(text.lines().filter(l -> l.startsWith("[tributary ")).count())
        .as(text).isGreaterThanOrEqualTo(2);
  }
}
