package dev.tributary;

import java.io.Serializable;
import java.util.Map;
import java.util.function.Function;

/**
 * A function from one row to the value of one new or replaced column: {@link
 * Dataset#withColumn(String, ColumnFunction)}.
 *
 * <p>Serializable, so that a lambda written for it can travel to another engine's workers
 * ({@link Dataset#execute(Engine)} on Spark) without a cast; what it captures must be
 * serializable too there. Run locally, nothing is ever serialized.
 */
@FunctionalInterface
public interface ColumnFunction
    extends Function<Map<String, Object>, Object>, Serializable {}
