package dev.tributary.preprocess;

import dev.tributary.Dataset;
import dev.tributary.memory.Block;
import java.util.List;
import java.util.function.BiConsumer;

/** The one streaming pass of a {@code fit}. */
final class Fitting {
  private Fitting() {}

  /**
   * Runs {@code dataset} once, reading only {@code columns}, and adds each block to {@code
   * into}, one block at a time (each released once added), on the calling thread's behalf: it
   * waits for the end, so call it from an application thread.
   */
  static <A> A pass(Dataset dataset, List<String> columns, A into, BiConsumer<A, Block> add) {
    dataset.select(columns.toArray(String[]::new))
        .toFlux(block -> {
          add.accept(into, block); // blocks arrive one after the other: no concurrent adds
          return Boolean.TRUE;
        })
        .blockLast();
    return into;
  }
}
