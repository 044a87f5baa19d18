package dev.tributary;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Computes a value on first use and keeps it: for plan metadata read from files (footers). */
final class Memo {
  private Memo() {}

  /** A supplier that calls {@code supplier} once, on first use (a null result is not kept). */
  static <T> Supplier<T> of(Supplier<T> supplier) {
    AtomicReference<T> value = new AtomicReference<>();
    return () -> value.updateAndGet(v -> v != null ? v : supplier.get());
  }

  /** The same for a long. */
  static LongSupplier ofLong(LongSupplier supplier) {
    Supplier<Long> boxed = of(supplier::getAsLong);
    return boxed::get;
  }
}
