package dev.tributary;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Computes a value on first use and keeps it: for plan metadata read from files (footers). */
final class Memo {
  private Memo() {}

  /** A supplier that calls {@code supplier} once, on first use (a null result is not kept). */
  static <T> Supplier<T> of(Supplier<T> supplier) {
    return new Supplier<>() {
      private T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = supplier.get();
        }
        return value;
      }
    };
  }

  /** The same for a long. */
  static LongSupplier ofLong(LongSupplier supplier) {
    Supplier<Long> boxed = of(supplier::getAsLong);
    return boxed::get;
  }
}
