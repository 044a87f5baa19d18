package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * Row-aligned column concatenation of two streams of equal row count (Ray Data's {@code zip}):
 * output row {@code i} has the columns of the left stream's row {@code i}, then those of the
 * right stream's. Both sides stream: the right one is re-cut ({@link Rebatch}) to the row count
 * of the left's first block, and so is the left one (its blocks of that size pass untouched), so
 * the two arrive in pairs of equal size, joined without copying ({@link Blocks#zip}). At most a
 * pair and a partial block per side are held at a time.
 *
 * <p>Row counts are compared as the streams run: when they differ, the rest of both streams is
 * counted (and released) and the zip fails with a {@link RowCountMismatchException} naming both
 * counts, after the pairs before the difference were emitted. A column on both sides fails it
 * with a {@link ColumnException}.
 */
public final class Zip {
  /** Marks the end of a side, repeated forever so that the pairing outlives the shorter side. */
  private static final Object END = new Object();

  private Zip() {}

  /** The rows of {@code left} zipped with those of {@code right}, built in {@code account}. */
  public static Flux<Block> of(Flux<Block> left, Flux<Block> right, Account account) {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    Objects.requireNonNull(account, "account");
    return left.switchOnFirst((first, rest) -> {
      int rows = first.hasValue() ? Math.max(1, first.get().rowCount()) : 1;
      return pairs(rest.transform(Rebatch.of(rows, account)),
          right.transform(Rebatch.of(rows, account)), account);
    }).doOnDiscard(Block.class, Block::release);
  }

  private static Flux<Block> pairs(Flux<Block> left, Flux<Block> right, Account account) {
    return Flux.defer(() -> {
      Counts counts = new Counts();
      return Flux.<Object, Object[]>zip(pair -> pair, 1, ended(left), ended(right))
          .handle((Object[] pair, SynchronousSink<Block> sink) ->
              counts.accept(pair[0], pair[1], account, sink));
    });
  }

  private static Flux<Object> ended(Flux<Block> side) {
    return side.cast(Object.class).concatWith(Flux.just(END).repeat());
  }

  /** The rows seen on each side; used by one subscription, serially. */
  private static final class Counts {
    private long left;
    private long right;
    private boolean differ;

    void accept(Object l, Object r, Account account, SynchronousSink<Block> sink) {
      if (l == END && r == END) {
        if (differ) {
          sink.error(new RowCountMismatchException("zip", left, right));
        } else {
          sink.complete();
        }
        return;
      }
      Block a = l instanceof Block b ? b : null;
      Block b = r instanceof Block x ? x : null;
      try {
        left += a == null ? 0 : a.rowCount();
        right += b == null ? 0 : b.rowCount();
        if (differ || a == null || b == null || a.rowCount() != b.rowCount()) {
          differ = true; // counted to the end, for the error
          return;
        }
        refuseShared(a, b);
        sink.next(Blocks.zip(a, b, account));
      } finally {
        if (a != null) {
          a.close();
        }
        if (b != null) {
          b.close();
        }
      }
    }

    private static void refuseShared(Block a, Block b) {
      Set<String> names = new HashSet<>();
      a.schema().getFields().forEach(f -> names.add(f.getName()));
      for (Field f : b.schema().getFields()) {
        if (names.contains(f.getName())) {
          throw new ColumnException(f.getName(),
              "zip: the column is on both sides; rename or drop it on one side first");
        }
      }
    }
  }
}
