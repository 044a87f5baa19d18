package dev.tributary.samples;

import dev.tributary.Dataset;
import dev.tributary.MapBatchesOptions;
import dev.tributary.Tributary;
import java.util.Map;

/**
 * The quickstart: a pipeline over {@code range} data with a vectorised {@code mapBatches} and a
 * row {@code filter}; prints the plan, the first rows, a checkable total and the stats.
 */
public final class Quickstart {
  private Quickstart() {}

  /** Runs the quickstart on embedded defaults: no files, no setup. */
  public static void main(String[] args) {
    long n = 1_000_000;
    Dataset squares = Tributary.range(n)
        .mapBatches(batch -> {
          long[] id = batch.longs("id");
          long[] square = new long[id.length];
          for (int i = 0; i < id.length; i++) {
            square[i] = id[i] * id[i];
          }
          return Map.of("id", id, "square", square);
        }, MapBatchesOptions.defaults().withConcurrency(2))
        .filter(row -> (Long) row.get("id") % 3 == 0);

    System.out.println(squares.explain());
    squares.show(5);

    long rows = squares.count();
    long expected = (n + 2) / 3;
    System.out.println("rows where id % 3 == 0: " + rows + " (expected " + expected + ")");
    System.out.println(squares.stats());
  }
}
