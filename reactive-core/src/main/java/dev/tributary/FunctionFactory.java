package dev.tributary;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * Makes one new instance of a stateful function for each worker of a pool: {@link
 * Dataset#mapBatches(FunctionFactory, MapBatchesOptions)}, {@link
 * Dataset#mapBatchesArrow(FunctionFactory, MapBatchesOptions)}.
 *
 * <p>Serializable, so that {@code () -> new MyModel(path)} can travel to another engine's workers
 * ({@link Dataset#execute(Engine)} on Spark) without a cast; what it captures must be
 * serializable too there. Run locally, nothing is ever serialized.
 *
 * @param <F> the function's type
 */
@FunctionalInterface
public interface FunctionFactory<F> extends Supplier<F>, Serializable {}
