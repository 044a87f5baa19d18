/**
 * The Tributary API: {@link dev.tributary.Tributary} sources start a lazy {@link
 * dev.tributary.Dataset}; transforms build a logical plan; consuming methods execute it as a
 * Reactor pipeline of operators (from {@code dev.tributary.operators}) over Arrow blocks, under a
 * {@link dev.tributary.DataContext} (knobs), in a {@link dev.tributary.TributaryRuntime} (one
 * arena, the schedulers, the budget planner), each execution in its own memory scope, and record
 * {@link dev.tributary.ExecutionStats}.
 */
package dev.tributary;
