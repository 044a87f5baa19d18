/**
 * Checkpoint and resume for read → one-row-per-row transforms → write pipelines: a write given a
 * {@link dev.tributary.checkpoint.Checkpoint} commits its output in segments, records the ids of
 * each committed segment's rows durably, and, when run again after a crash (even a {@code
 * SIGKILL}), skips the rows already committed and publishes the same rows an uninterrupted run
 * would have written, each once. Entry point: {@code Dataset.writeParquet(sink, checkpoint)}.
 */
package dev.tributary.checkpoint;
