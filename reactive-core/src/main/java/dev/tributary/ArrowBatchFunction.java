package dev.tributary;

import java.io.Serializable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A batch function over Arrow record batches.
 *
 * <p>It returns its input unchanged, a new record batch allocated with {@code allocator}
 * (charged to the operator), or a new root holding some of the input's vectors beside new ones.
 * Whatever it returns is moved (zero-copy) into a block of its own, and the input is closed after
 * the call, freeing what the result does not hold. So it must not close or modify its input, nor
 * keep the input or its vectors beyond the call: copy what it needs later.
 *
 * <p>Serializable, so that a lambda written for it can travel to another engine's workers
 * ({@link Dataset#execute(Engine)} on Spark) without a cast; run locally, nothing is serialized.
 */
@FunctionalInterface
public interface ArrowBatchFunction extends Serializable {
  /** Computes one output batch from one input batch. */
  VectorSchemaRoot apply(VectorSchemaRoot batch, BufferAllocator allocator);
}
