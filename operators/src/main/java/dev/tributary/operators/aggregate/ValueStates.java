package dev.tributary.operators.aggregate;

/**
 * What a source counted of one numeric column over the rows it read, without handing those rows
 * on (a Parquet read that adds values up as it decodes them): the states a {@code sum}, {@code
 * min}, {@code max}, {@code absMax} or {@code mean} of the column keeps, from which {@link
 * Aggregate#partialOf} makes the aggregation's partial result.
 *
 * @param integral whether the column is an integer one (sums, minimum and maximum are longs)
 * @param values values counted: neither null nor NaN
 * @param nulls nulls counted, NaN included
 * @param longSum an integer column's exact sum
 * @param sumOverflows whether that sum went beyond int64 (a {@code sum} or {@code mean} then
 *     fails as the aggregation itself does)
 * @param doubleSum a floating column's sum
 * @param longMin an integer column's smallest value (when there are values)
 * @param longMax an integer column's largest value
 * @param doubleMin a floating column's smallest value
 * @param doubleMax a floating column's largest value
 */
public record ValueStates(boolean integral, long values, long nulls, long longSum,
    boolean sumOverflows, double doubleSum, long longMin, long longMax, double doubleMin,
    double doubleMax) {}
