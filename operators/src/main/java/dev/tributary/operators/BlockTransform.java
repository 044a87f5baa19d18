package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.io.Serializable;

/**
 * A block-to-block function: the unit of work of a streaming stage.
 *
 * <p>Ownership has one rule: a transform <em>consumes</em> its input and returns a block the
 * caller then owns, in (or transferred to) {@code out}, or {@code null} to emit nothing for this
 * input. Returning the input itself is legal (it is handed on, not copied); any other result
 * means the transform closed the input. A transform that must keep a block beyond its call
 * (its input, or a part of it) takes a handle of its own with {@link Block#retain()}: nothing
 * here decides ownership by identity.
 *
 * <p>A transform that throws has released its input: {@link #run} (which {@link #andThen} and
 * {@link MapBlocks} call) releases it on the way out, so a transform need not catch for that.
 * A transform that reads its input and builds a result apart from it is best written with
 * {@link #reading}, which closes the input afterwards.
 *
 * <p>Serializable, so that a distributed engine can ship a stage to its workers: a transform
 * (and what it captures, such as a user function) that is not fails there by name before the job
 * starts; the local engine never serializes one.
 */
@FunctionalInterface
public interface BlockTransform extends Serializable {
  /** Transforms one block, consuming it; see the interface comment for who owns what. */
  Block apply(Block input, Account out);

  /**
   * Applies {@code transform} to {@code input}, releasing the input if it throws (a no-op if the
   * transform had closed or moved it already): the one place a failed transform's input is freed.
   */
  static Block run(BlockTransform transform, Block input, Account out) {
    try {
      return transform.apply(input, out);
    } catch (RuntimeException | Error e) {
      input.release();
      throw e;
    }
  }

  /**
   * A transform from {@code reader}, which reads its input without consuming it and returns a
   * block owned apart from the input (a new block, {@code input.retain()} to hand the input on,
   * or null); the input is closed after the reader returns or throws.
   */
  static BlockTransform reading(BlockTransform reader) {
    return (input, out) -> {
      try {
        return reader.apply(input, out);
      } finally {
        input.release();
      }
    };
  }

  /** This transform followed by {@code next}: each consumes what it is given. */
  default BlockTransform andThen(BlockTransform next) {
    return (input, out) -> {
      Block middle = run(this, input, out);
      return middle == null ? null : run(next, middle, out);
    };
  }
}
