package dev.tributary.operators.aggregate;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * An aggregation written by the user (Ray Data's {@code AggregateFnV2}): an accumulator per
 * group, started by {@link #init()}, fed whole Arrow batches of the group's rows by {@link
 * #accumulate}, combined with another group part's accumulator by {@link #merge} (partial
 * results of different blocks, or read back after a spill), and turned into the result by
 * {@link #finish}.
 *
 * <p>Accumulators and results must be values {@link dev.tributary.memory.JavaValues} maps to
 * Arrow ({@code Long}, {@code Double}, {@code String}, {@code List}, {@code Map} as a struct,
 * ...): accumulators are written to Arrow when the table spills, and results become the output
 * column, its type inferred from the values. The batches are read-only and valid only during the
 * call.
 *
 * @param <A> the accumulator
 */
public interface UserAggregate<A> {
  /** A fresh accumulator for a group. */
  A init();

  /** The accumulator after the group's rows of {@code batch}. */
  A accumulate(A accumulator, VectorSchemaRoot batch);

  /** The accumulator of both parts of a group. */
  A merge(A left, A right);

  /** The group's result. */
  Object finish(A accumulator);
}
