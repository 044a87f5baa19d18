package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;

/**
 * A block-to-block function: the unit of work of a streaming stage.
 *
 * <p>The input stays owned by the caller, who closes it afterwards; the transform returns a new
 * block allocated in (or transferred to) {@code out}, the input itself unchanged, or {@code null}
 * to emit nothing for this input.
 */
@FunctionalInterface
public interface BlockTransform {
  /** Transforms one block; see the interface comment for who owns what. */
  Block apply(Block input, Account out);

  /**
   * This transform followed by {@code next}, releasing the intermediate block in between unless
   * it is this transform's input (the caller's) or what {@code next} returns (then the result).
   */
  default BlockTransform andThen(BlockTransform next) {
    return (input, out) -> {
      Block middle = apply(input, out);
      if (middle == null) {
        return null;
      }
      Block result;
      try {
        result = next.apply(middle, out);
      } catch (RuntimeException | Error e) {
        if (middle != input) {
          middle.release();
        }
        throw e;
      }
      if (middle != input && result != middle) {
        middle.release();
      }
      return result;
    };
  }
}
