/**
 * Benchmark harness: plain {@code main} programs run by the {@code bench} Maven profile, never by
 * {@code mvn verify}. Each reports its figures next to a baseline measured in the same run.
 */
package dev.tributary.bench;
