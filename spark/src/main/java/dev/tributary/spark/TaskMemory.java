package dev.tributary.spark;

import java.io.Serializable;

/**
 * What one Spark task's Tributary runtime held at most, against its limit: gathered on the
 * driver for every successful task of a job ({@link SparkEngine#onJobEnd}).
 *
 * @param stage Spark's stage id
 * @param partition the task's partition
 * @param peakBytes the most off-heap bytes the task's arena held at once
 * @param limitBytes the task's memory limit
 */
public record TaskMemory(int stage, int partition, long peakBytes, long limitBytes)
    implements Serializable {}
