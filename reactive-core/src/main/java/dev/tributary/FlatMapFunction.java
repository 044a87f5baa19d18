package dev.tributary;

import java.io.Serializable;
import java.util.Map;
import java.util.function.Function;

/**
 * A function from one row to zero or more rows: {@link Dataset#flatMap}.
 *
 * <p>Serializable, so that a lambda written for it can travel to another engine's workers
 * ({@link Dataset#execute(Engine)} on Spark) without a cast; what it captures must be
 * serializable too there. Run locally, nothing is ever serialized.
 */
@FunctionalInterface
public interface FlatMapFunction
    extends Function<Map<String, Object>, Iterable<Map<String, Object>>>, Serializable {}
