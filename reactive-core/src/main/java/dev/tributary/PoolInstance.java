package dev.tributary;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One worker's instance of a stateful batch function, as its worker pool runs it: the user's
 * object (closed with the worker if it is {@link AutoCloseable}) and the transform over it.
 */
final class PoolInstance implements BlockTransform, AutoCloseable {
  private final Object instance;
  private final BlockTransform transform;

  private PoolInstance(Object instance, BlockTransform transform) {
    this.instance = instance;
    this.transform = transform;
  }

  /** A new instance from {@code factory}, run by {@code runner}. */
  static <F> PoolInstance of(Supplier<? extends F> factory, Function<F, BlockTransform> runner) {
    F made = Objects.requireNonNull(factory.get(),
        "the factory returned null; return a new instance");
    return new PoolInstance(made, runner.apply(made));
  }

  @Override
  public Block apply(Block input, Account out) {
    return transform.apply(input, out);
  }

  @Override
  public void close() throws Exception {
    if (instance instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}
