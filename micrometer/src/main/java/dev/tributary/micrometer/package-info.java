/**
 * Micrometer metrics for a {@link dev.tributary.TributaryRuntime}: {@link
 * dev.tributary.micrometer.TributaryMetrics}, a {@code MeterBinder} with runtime, per-execution
 * and per-operator meters, registered when an execution starts and removed when it ends. Depends
 * on reactive-core and micrometer-core only; works with any registry.
 */
package dev.tributary.micrometer;
