package dev.tributary.operators;

import dev.tributary.columnar.Schemas;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Block;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * Concatenates several streams of blocks, one after the other, checking that every block's
 * schema unifies with those before it ({@link Schemas#unify}: the same columns, a null-typed
 * column taking the others' type). Blocks pass unchanged.
 */
public final class Union {
  private Union() {}

  /**
   * The blocks of {@code inputs} in order.
   *
   * @throws SchemaMismatchException (as an error signal) at the first block whose schema does
   *     not unify with the blocks' before it
   */
  public static Flux<Block> of(List<Flux<Block>> inputs) {
    return Flux.defer(() -> {
      AtomicReference<Schema> seen = new AtomicReference<>();
      return Flux.concat(inputs).handle((Block b, SynchronousSink<Block> sink) -> {
        Schema before = seen.get();
        try {
          seen.set(before == null ? b.schema() : Schemas.unify(before, b.schema(), "union"));
        } catch (SchemaMismatchException e) {
          b.close();
          sink.error(e);
          return;
        }
        sink.next(b);
      });
    }).doOnDiscard(Block.class, Block::release);
  }
}
