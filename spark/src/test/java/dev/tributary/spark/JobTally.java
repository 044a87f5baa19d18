package dev.tributary.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.SparkSession;

/**
 * What Spark ran for one measured call, from its listener bus: jobs, stages and tasks, when the
 * jobs ran within the call, and where each stage's task time went (for the benchmark's report:
 * where a run's time goes beside the work itself).
 */
final class JobTally extends SparkListener {
  private final List<long[]> jobs = new ArrayList<>(); // start, end (ms)
  private final List<Stage> stages = new ArrayList<>();
  private final List<Task> tasks = new ArrayList<>();

  /** One stage: its tasks and wall time. */
  private record Stage(int id, int tasks, long millis) {}

  /** One task's times (ms) and bytes. */
  private record Task(int stage, long wall, long deserialize, long run, long gc,
      long resultBytes, long shuffleWriteBytes, long shuffleWriteMs, long fetchWaitMs,
      long shuffleReadBytes) {}

  static JobTally on(SparkSession session) {
    JobTally tally = new JobTally();
    session.sparkContext().addSparkListener(tally);
    return tally;
  }

  /** Forgets what was seen (before a measured call). */
  synchronized void reset() {
    jobs.clear();
    stages.clear();
    tasks.clear();
  }

  /**
   * What Spark ran since the last {@link #reset}, the call having run from {@code startMs} to
   * {@code endMs} (wall clock), once the listener bus delivered every event.
   */
  Summary summary(SparkSession session, long startMs, long endMs) {
    try {
      session.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
    synchronized (this) {
      long firstStart = jobs.stream().mapToLong(j -> j[0]).min().orElse(endMs);
      long lastEnd = jobs.stream().mapToLong(j -> j[1]).max().orElse(endMs);
      StringBuilder perStage = new StringBuilder();
      stages.stream().sorted((a, b) -> Integer.compare(a.id, b.id)).forEach(s -> {
        List<Task> its = tasks.stream().filter(t -> t.stage == s.id).toList();
        perStage.append(String.format(Locale.ROOT,
            "%s%d tasks %d ms (task wall %d, deser %d, run %d, gc %d; result %d KiB; shuffle w %d"
                + " KiB %d ms, r %d KiB wait %d ms)",
            perStage.length() == 0 ? "" : "; ", s.tasks, s.millis,
            sum(its, Task::wall), sum(its, Task::deserialize), sum(its, Task::run),
            sum(its, Task::gc), sum(its, Task::resultBytes) / 1024,
            sum(its, Task::shuffleWriteBytes) / 1024, sum(its, Task::shuffleWriteMs),
            sum(its, Task::shuffleReadBytes) / 1024, sum(its, Task::fetchWaitMs)));
      });
      return new Summary(jobs.size(), stages.size(), tasks.size(), firstStart - startMs,
          lastEnd - firstStart, endMs - lastEnd, perStage.toString());
    }
  }

  private static long sum(List<Task> tasks, java.util.function.ToLongFunction<Task> f) {
    return tasks.stream().mapToLong(f).sum();
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    jobs.add(new long[] {start.time(), Long.MAX_VALUE});
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    for (long[] j : jobs) {
      if (j[1] == Long.MAX_VALUE) {
        j[1] = end.time();
        return;
      }
    }
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted completed) {
    StageInfo s = completed.stageInfo();
    long millis = s.completionTime().isDefined() && s.submissionTime().isDefined()
        ? (long) s.completionTime().get() - (long) s.submissionTime().get() : -1;
    stages.add(new Stage(s.stageId(), s.numTasks(), millis));
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    TaskMetrics m = end.taskMetrics();
    if (m == null) {
      return;
    }
    tasks.add(new Task(end.stageId(), end.taskInfo().finishTime() - end.taskInfo().launchTime(),
        m.executorDeserializeTime(), m.executorRunTime(), m.jvmGCTime(), m.resultSize(),
        m.shuffleWriteMetrics().bytesWritten(), m.shuffleWriteMetrics().writeTime() / 1_000_000,
        m.shuffleReadMetrics().fetchWaitTime(), m.shuffleReadMetrics().totalBytesRead()));
  }

  /**
   * What Spark ran for one call.
   *
   * @param jobs Spark jobs
   * @param stages stages run (skipped ones not counted)
   * @param tasks tasks run
   * @param beforeMs from the call's start to its first job's (planning on the driver)
   * @param jobsMs from the first job's start to the last one's end
   * @param afterMs from the last job's end to the call's end (decoding on the driver)
   * @param perStage each stage's tasks and where their time went
   */
  record Summary(int jobs, int stages, int tasks, long beforeMs, long jobsMs, long afterMs,
      String perStage) {}
}
