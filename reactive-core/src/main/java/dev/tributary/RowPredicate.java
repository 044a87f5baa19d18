package dev.tributary;

import java.io.Serializable;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A test of one row (column name to value), true to keep it: {@link Dataset#filter(RowPredicate)}.
 *
 * <p>Serializable, so that a lambda written for it can travel to another engine's workers
 * ({@link Dataset#execute(Engine)} on Spark) without a cast; what it captures must be
 * serializable too there. Run locally, nothing is ever serialized.
 */
@FunctionalInterface
public interface RowPredicate
    extends Predicate<Map<String, Object>>, Serializable {}
