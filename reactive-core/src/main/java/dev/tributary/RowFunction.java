package dev.tributary;

import java.io.Serializable;
import java.util.Map;
import java.util.function.Function;

/**
 * A function from one row (column name to value) to one row: {@link Dataset#map}.
 *
 * <p>Serializable, so that a lambda written for it can travel to another engine's workers
 * ({@link Dataset#execute(Engine)} on Spark) without a cast; what it captures must be
 * serializable too there. Run locally, nothing is ever serialized.
 */
@FunctionalInterface
public interface RowFunction
    extends Function<Map<String, Object>, Map<String, Object>>, Serializable {}
