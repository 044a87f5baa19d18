/**
 * The benchmark report step: every system's results into {@code report.md}, {@code report.json}
 * and a bar chart; uses only Jackson and JFreeChart.
 */
package dev.tributary.bench.report;
