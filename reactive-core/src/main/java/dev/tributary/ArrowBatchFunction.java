package dev.tributary;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A batch function over Arrow record batches.
 *
 * <p>It returns either its input unchanged or a new record batch allocated with {@code
 * allocator} (charged to the operator); it must not close or modify its input.
 */
@FunctionalInterface
public interface ArrowBatchFunction {
  /** Computes one output batch from one input batch. */
  VectorSchemaRoot apply(VectorSchemaRoot batch, BufferAllocator allocator);
}
