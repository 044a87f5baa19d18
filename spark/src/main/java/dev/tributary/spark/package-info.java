/**
 * The Spark engine: the same {@link dev.tributary.Dataset} run on an Apache Spark cluster ({@link
 * dev.tributary.spark.SparkEngine}), each task a governed Tributary pipeline in its executor,
 * exchanges as Spark shuffles of Arrow IPC blocks, writes staged per task and committed on the
 * driver. Spark is a {@code provided} dependency: the cluster brings it.
 */
package dev.tributary.spark;
