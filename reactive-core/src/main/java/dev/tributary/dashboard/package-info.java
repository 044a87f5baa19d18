/**
 * The live dashboard: an opt-in page on Reactor Netty ({@link dev.tributary.dashboard.Dashboard},
 * bound to 127.0.0.1 unless told otherwise) showing a runtime's running and recent executions,
 * each operator's memory held against its budget, rows, throughput and spills, with charts over
 * time, updated by server-sent events. Reads the runtime's monitoring seam ({@code
 * TributaryRuntime.executions()}, {@code ExecutionListener}) only.
 */
package dev.tributary.dashboard;
