package dev.tributary.operators;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Block;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * Concatenates several streams of blocks, one after the other, checking that every block has
 * the schema of the first.
 */
public final class Union {
  private Union() {}

  /**
   * The blocks of {@code inputs} in order.
   *
   * @throws SchemaMismatchException (as an error signal) at the first block whose schema differs
   */
  public static Flux<Block> of(List<Flux<Block>> inputs) {
    return Flux.defer(() -> {
      AtomicReference<Schema> first = new AtomicReference<>();
      return Flux.concat(inputs).handle((Block b, SynchronousSink<Block> sink) -> {
        Schema expected = first.updateAndGet(s -> s == null ? b.schema() : s);
        if (expected.equals(b.schema())) {
          sink.next(b);
        } else {
          Schema actual = b.schema();
          b.close();
          sink.error(new SchemaMismatchException("union", expected, actual));
        }
      });
    }).doOnDiscard(Block.class, Block::release);
  }
}
