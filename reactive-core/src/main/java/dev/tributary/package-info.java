/**
 * The Tributary API: {@link dev.tributary.Tributary} sources start a lazy {@link
 * dev.tributary.Dataset}; transforms build a logical plan ({@code dev.tributary.plan});
 * consuming methods optimize it, cut it into stages ({@code dev.tributary.exec}) and execute those
 * as a Reactor pipeline of operators (from {@code dev.tributary.operators}) over Arrow blocks,
 * under a {@link dev.tributary.DataContext} (knobs), in a {@link dev.tributary.TributaryRuntime}
 * (one arena, the schedulers, the budget planner), each execution in its own memory scope, and
 * record {@link dev.tributary.ExecutionStats}. Training feeds ({@link
 * dev.tributary.BatchIterator}, {@link dev.tributary.Batch}) hand batches to consumer threads;
 * ML preprocessors live in {@code dev.tributary.preprocess}.
 */
package dev.tributary;
