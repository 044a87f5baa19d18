package dev.tributary;

import java.io.Serializable;
import java.util.function.Function;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A vectorised row test: one flag per row of a read-only Arrow batch, true to keep the row: {@link
 * Dataset#filterBatches}.
 *
 * <p>Serializable, so that a lambda written for it can travel to another engine's workers
 * ({@link Dataset#execute(Engine)} on Spark) without a cast; what it captures must be
 * serializable too there. Run locally, nothing is ever serialized.
 */
@FunctionalInterface
public interface BatchPredicate
    extends Function<VectorSchemaRoot, boolean[]>, Serializable {}
