package dev.tributary.expr;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * A user function over whole Arrow vectors, used as an expression with {@link Expr#udf}: it gets
 * its arguments evaluated (one vector per argument, each as long as the batch, read-only, of the
 * arguments' expression types) and returns a new vector of as many rows, allocated in {@code
 * allocator}, whose type is the declared return type. The caller closes it.
 *
 * <p>Serializable, so that an expression using it can travel to a distributed engine's workers
 * (what a lambda captures must be serializable too).
 */
@FunctionalInterface
public interface VectorFunction extends java.io.Serializable {
  /** Computes one result vector from the argument vectors. */
  FieldVector apply(List<FieldVector> arguments, BufferAllocator allocator);
}
