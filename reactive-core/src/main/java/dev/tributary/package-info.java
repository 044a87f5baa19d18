/**
 * The Tributary API: {@link dev.tributary.Tributary} sources start a lazy {@link
 * dev.tributary.Dataset}; transforms build a logical plan; consuming methods execute it as a
 * Reactor pipeline of operators (from {@code dev.tributary.operators}) over Arrow blocks, under a
 * {@link dev.tributary.DataContext}, and record {@link dev.tributary.ExecutionStats}.
 */
package dev.tributary;
