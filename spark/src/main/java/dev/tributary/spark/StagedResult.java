package dev.tributary.spark;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;

/**
 * A dataset's result written from the executors into a new directory under a staging directory
 * that the driver and every executor see, read back as a plain Parquet read: how {@link
 * SparkEngine#toSpark} hands Spark a dataset whose plan ends after an all-to-all stage. The
 * directory lives until the Spark application ends (the DataFrame may be read again until then).
 *
 * <p>Computed once per call, not once per Spark action, on purpose: the DataFrame is a snapshot
 * of the result at the call, so its actions agree with each other (a {@code count()} and a
 * {@code collect()} of a sort-and-limit see the same rows, whatever the files do meanwhile), and
 * Spark never says when an action is done reading a source, so a result staged per action could
 * only be removed at the application's end: every action would leave another copy on the shared
 * file system until then. Call {@code toSpark} again for a fresh result.
 */
final class StagedResult {
  private StagedResult() {}

  /**
   * Runs {@code dataset} on {@code engine} into a new directory under {@code staging}: its read,
   * or null when the result has no rows (no file was written; the directory is removed now).
   */
  static Dataset write(SparkEngine engine, SparkContext context, Dataset dataset, Path staging) {
    Path directory = staging.resolve("tributary-frame-" + UUID.randomUUID());
    context.addSparkListener(new Removal(directory));
    if (dataset.execute(engine).writeParquet(directory.toString()).rows() == 0) {
      JobCommit.discard(directory);
      return null;
    }
    return Tributary.readParquet(directory.toString()).withContext(dataset.context());
  }

  /** Removes a staged result when the application ends. */
  private static final class Removal extends SparkListener {
    private final Path directory;

    Removal(Path directory) {
      this.directory = directory;
    }

    @Override
    public void onApplicationEnd(SparkListenerApplicationEnd end) {
      JobCommit.discard(directory);
    }
  }
}
