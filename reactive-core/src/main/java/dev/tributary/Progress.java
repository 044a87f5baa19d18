package dev.tributary;

import dev.tributary.memory.Bytes;
import dev.tributary.operators.OperatorSnapshot;
import dev.tributary.operators.WaitReason;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import reactor.core.scheduler.Scheduler;

/**
 * Live progress of executions run with {@link DataContext#enableProgressBars()}: every {@link
 * #PERIOD}, one line per running execution on standard error, Ray Data's operator progress in
 * text form, saying why each operator waits ({@link WaitReason}) and for how long in all, e.g.
 * {@code [tributary 3.0s] ReadParquet 40 blk 1.2M rows -> MapBatches(f) 38 blk 1.1M rows (waits
 * for memory 0.8s: 4.1 MiB held, budget 4.0 MiB) -> Output 35 blk 1.0M rows (waits for
 * downstream 2.2s) | memory 120 MiB of 256 MiB}; an execution waiting for admission starts with
 * {@code queued for memory 1.5s (needs 3.0 MiB)}.
 */
final class Progress {
  /** How often running executions print a line. */
  static final Duration PERIOD = Duration.ofSeconds(1);

  /**
   * The progress of one runtime's running executions, printed on the runtime's {@link Ticker}
   * (whose scheduler may block: printing writes to a file descriptor).
   */
  static final class Board {
    private final Set<Progress> running = ConcurrentHashMap.newKeySet();
    private final Scheduler io;
    private final Runnable wake;

    /** A board printing final lines on {@code io}, calling {@code wake} when one starts. */
    Board(Scheduler io, Runnable wake) {
      this.io = io;
      this.wake = wake;
    }

    /**
     * Starts printing the progress of the operators {@code operators} reads, after what {@code
     * admission} says of the execution's wait to start (empty once it runs), until stopped.
     */
    Progress start(Supplier<List<OperatorSnapshot>> operators, Supplier<String> admission,
        Supplier<String> memory) {
      Progress progress = new Progress(this, operators, admission, memory, System.err);
      running.add(progress);
      wake.run();
      return progress;
    }

    /** Whether an execution prints progress. */
    boolean active() {
      return !running.isEmpty();
    }

    /** Prints the line of every execution whose period has passed. */
    void tick() {
      long now = System.nanoTime();
      for (Progress p : running) {
        if (now >= p.nextPrintNanos) {
          p.nextPrintNanos = now + PERIOD.toNanos();
          p.print();
        }
      }
    }
  }

  private final Board board;
  private final Supplier<List<OperatorSnapshot>> operators;
  private final Supplier<String> admission;
  private final Supplier<String> memory;
  private final long startNanos = System.nanoTime();
  private final PrintStream out;
  private volatile long nextPrintNanos = startNanos + PERIOD.toNanos();

  private Progress(Board board, Supplier<List<OperatorSnapshot>> operators,
      Supplier<String> admission, Supplier<String> memory, PrintStream out) {
    this.board = board;
    this.operators = operators;
    this.admission = admission;
    this.memory = memory;
    this.out = out;
  }

  /**
   * Stops printing and prints the final line, on a thread that may block (the caller may be a
   * pipeline thread, which must not).
   */
  void stop() {
    if (board.running.remove(this)) {
      try {
        board.io.schedule(this::print);
      } catch (RejectedExecutionException e) {
        // the runtime is closing: no final line
      }
    }
  }

  private void print() {
    out.println(line());
  }

  /** The current progress line. */
  String line() {
    String ops = operators.get().stream()
        .map(o -> String.format(Locale.ROOT, "%s %d blk %s rows%s%s", o.name(), o.blocksOut(),
            count(o.rowsOut()), o.peakWorkers() > 0 ? " (" + o.workers() + " workers)" : "",
            why(o)))
        .collect(Collectors.joining(" -> "));
    String waiting = admission.get();
    return String.format(Locale.ROOT, "[tributary %.1fs] %s%s | memory %s",
        (System.nanoTime() - startNanos) / 1e9, waiting.isEmpty() ? "" : waiting + ": ", ops,
        memory.get());
  }

  /**
   * Why the operator waits, with the time it has waited for that reason in all: {@code (waits
   * for memory 0.8s: 4.1 MiB held, budget 4.0 MiB)}; empty when it does not wait, or waits only
   * for its execution's admission (the line says that once).
   */
  static String why(OperatorSnapshot o) {
    WaitReason reason = o.waiting();
    if (reason == WaitReason.NONE || reason == WaitReason.ADMISSION) {
      return "";
    }
    return String.format(Locale.ROOT, " (%s %.1fs%s)", reason.describe(),
        o.waitedNanos(reason) / 1e9, reason == WaitReason.MEMORY
            ? ": " + Bytes.format(o.heldBytes()) + " held, budget " + Bytes.format(o.budgetBytes())
            : "");
  }

  /** The admission part of a line: {@code queued for memory 1.5s (needs 3.0 MiB)}. */
  static String queued(long queuedNanos, long minimumBytes) {
    return String.format(Locale.ROOT, "%s %.1fs (needs %s)", WaitReason.ADMISSION.describe(),
        queuedNanos / 1e9, Bytes.format(minimumBytes));
  }

  private static String count(long n) {
    if (n >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
    return n >= 10_000 ? String.format(Locale.ROOT, "%.1fK", n / 1e3) : Long.toString(n);
  }

  /** The memory part of a line: bytes held of the limit. */
  static String memory(long held, long limit) {
    return Bytes.format(held) + " of " + Bytes.format(limit);
  }
}
