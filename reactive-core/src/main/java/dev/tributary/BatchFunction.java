package dev.tributary;

import dev.tributary.operators.ColumnBatch;
import java.io.Serializable;
import java.util.Map;
import java.util.function.Function;

/**
 * A function from a column batch to a map of column name to Java array: {@link
 * Dataset#mapBatches(BatchFunction)}.
 *
 * <p>Serializable, so that a lambda written for it can travel to another engine's workers
 * ({@link Dataset#execute(Engine)} on Spark) without a cast; what it captures must be
 * serializable too there. Run locally, nothing is ever serialized.
 */
@FunctionalInterface
public interface BatchFunction
    extends Function<ColumnBatch, Map<String, Object>>, Serializable {}
