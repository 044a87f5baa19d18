package dev.tributary.gpu;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A batch function for a GPU stage: sees each block as a read-only zero-copy Arrow batch and a
 * {@link Device} to compute on (a CUDA device, or the CPU fallback: the same code runs on both),
 * and returns the output batch, allocated from {@code out} (or the input batch itself).
 *
 * <p>Device memory is scoped to the call: buffers still open when it returns are freed.
 */
@FunctionalInterface
public interface GpuBatchFunction {
  /** Computes the output batch of {@code batch} on {@code device}. */
  VectorSchemaRoot apply(VectorSchemaRoot batch, Device device, BufferAllocator out);
}
